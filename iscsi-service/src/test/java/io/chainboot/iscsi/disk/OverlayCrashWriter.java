package io.chainboot.iscsi.disk;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Child JVM of {@link OverlayCrashTest}: writes to an overlay until it is killed. Each write goes
 * to its own 16-block region (so a block is written at most once), at a random offset and length,
 * alternately with FUA and as batches of plain writes followed by a flush (SYNCHRONIZE CACHE).
 * Prints {@code W lba count tag} before a write and {@code A lba count tag} once it is durable.
 * With a pause count it stops after that many acknowledgements plus one last FUA write, and waits.
 */
public final class OverlayCrashWriter {
    public static void main(String[] args) throws Exception {
        Path golden = Path.of(args[0]);
        Path overlay = Path.of(args[1]);
        Random rnd = new Random(Long.parseLong(args[2]));
        int pauseAfter = args.length > 3 ? Integer.parseInt(args[3]) : 0; // 0: write until killed
        PrintStream out = new PrintStream(System.out, false);
        OverlayBlockDevice o = OverlayBlockDevice.open(overlay, Disks.openGolden(golden), "golden@1", 0, "crash", true);
        List<Integer> regions = new ArrayList<>();
        for (int r = 0; r < o.blocks() / 16; r++) {
            regions.add(r);
        }
        Collections.shuffle(regions, rnd);
        int i = 0;
        int tag = 1;
        int acks = 0;
        while (i < regions.size()) {
            boolean last = pauseAfter > 0 && acks >= pauseAfter;
            boolean fua = last || rnd.nextBoolean();
            int batch = fua ? 1 : 1 + rnd.nextInt(8);
            List<String> done = new ArrayList<>();
            for (int b = 0; b < batch && i < regions.size(); b++, i++) {
                int off = rnd.nextInt(16);
                int count = 1 + rnd.nextInt(16 - off);
                long lba = regions.get(i) * 16L + off;
                tag = tag % 120 + 1;
                String w = lba + " " + count + " " + tag;
                out.println("W " + w);
                out.flush();
                Disks.write(o, lba, Disks.blocks(lba, count, tag), fua);
                done.add(w);
            }
            if (!fua) {
                o.flush();
            }
            for (String w : done) {
                out.println("A " + w);
                acks++;
            }
            out.flush();
            if (last) { // the last write was a FUA one into a fresh grain: now wait to be killed
                out.println("PAUSED");
                out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
        }
        out.println("END");
        out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
