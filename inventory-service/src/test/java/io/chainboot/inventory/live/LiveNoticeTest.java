package io.chainboot.inventory.live;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The notices replicas exchange: round trips, chunking under PostgreSQL's payload limit, junk ignored. */
class LiveNoticeTest {
    @Test
    void everyKindRoundTrips() {
        LiveNotice rows = LiveNotice.rows("a", List.of("52:54:00:00:00:01", "52:54:00:00:00:02")).get(0);
        LiveNotice deleted = LiveNotice.deleted("a", "52:54:00:00:00:03");
        LiveNotice changed = LiveNotice.changed("b", new LiveUpdates.Changed("profile", "lab", "PUT", 201));
        LiveNotice noId = LiveNotice.changed("b", new LiveUpdates.Changed("profile", null, "POST", 200));
        for (LiveNotice n : List.of(rows, deleted, changed, noId)) {
            assertThat(LiveNotice.decode(n.encode())).contains(n);
        }
    }

    @Test
    void manyMacsAreSplitIntoNoticesUnderThePayloadLimit() {
        List<String> macs = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            macs.add(String.format("52:54:00:00:%02x:%02x", i >> 8, i & 0xff));
        }
        List<LiveNotice> out = LiveNotice.rows("a-replica-id-0123456789", macs);
        assertThat(out).hasSize(4);
        assertThat(out.stream().flatMap(n -> n.macs().stream()).toList()).isEqualTo(macs);
        assertThat(out).allMatch(n -> n.encode().length() <= LiveNotice.MAX_PAYLOAD);
    }

    @Test
    void whatIsNotANoticeIsIgnored() {
        for (String junk : List.of("", "x", "[]", "{}", "{\"origin\":1}", "{\"origin\":\"a\",\"kind\":\"NOPE\"}",
                "{\"origin\":\"a\",\"kind\":\"ROWS\",\"macs\":[]}", "{\"origin\":\"a\",\"kind\":\"ROWS\",\"macs\":[1]}",
                "{\"origin\":\"a\",\"kind\":\"CHANGED\",\"changed\":{\"kind\":\"x\"}}")) {
            assertThat(LiveNotice.decode(junk)).as(junk).isEmpty();
        }
    }
}
