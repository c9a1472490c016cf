package io.chainboot.inventory;

import io.chainboot.events.BootEvent;
import io.chainboot.events.ClientKind;
import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import io.chainboot.infra.testing.KafkaResource;
import io.chainboot.infra.testing.PostgresResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.jboss.logging.Logger;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real headless Chromium (Debian {@code chromium} + {@code chromium-driver}):
 * events produced to Kafka show up on the page, live, within a second.
 */
@QuarkusTest
@WithTestResource(KafkaResource.class)
@WithTestResource(PostgresResource.class)
@WithTestResource(UpstreamFake.class)
class DashboardBrowserTest {
    private static final Logger LOG = Logger.getLogger(DashboardBrowserTest.class);

    @TestHTTPResource("/")
    URL page;
    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    WebDriver driver;
    Path profile;
    KafkaProducer<String, byte[]> producer;

    @BeforeEach
    void browser() throws IOException {
        profile = Files.createTempDirectory("cb-inventory-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(System.getProperty("chromium.binary", "/usr/bin/chromium"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("chromedriver.binary", "/usr/bin/chromedriver")))
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        producer = KafkaClients.producer(bootstrap);
    }

    @AfterEach
    void close() throws IOException {
        if (driver != null) {
            driver.quit();
        }
        if (producer != null) {
            producer.close();
        }
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void machinesMoveThroughTheStagesLiveAndATimelineOpensOnClick() {
        driver.get(page.toString());
        WebDriverWait generous = new WebDriverWait(driver, Duration.ofSeconds(30));
        generous.until(d -> "open".equals(d.findElement(By.tagName("body")).getAttribute("data-live")));

        // warm-up: the consumer group may still be joining, and the connector sets up each partition on its
        // first record; put one machine on every partition and wait for all rows, with a deadline that does not matter
        int partitions = producer.partitionsFor(io.chainboot.events.Topics.BOOT_EVENTS).size();
        for (int p = 0; p < partitions; p++) {
            MacAddress warm = new MacAddress(0x5254_00CD_0000L + p);
            BootEvent e = Events.acked(warm, Ipv4Address.parse("10.2.1." + (p + 1)), ClientKind.FIRMWARE, Instant.now());
            try {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(io.chainboot.events.Topics.BOOT_EVENTS,
                        p, e.key(), io.chainboot.events.EventJson.encode(e))).get();
            } catch (Exception ex) {
                throw new IllegalStateException(ex);
            }
            generous.until(ExpectedConditions.presenceOfElementLocated(By.id("m-" + warm.toHex())));
        }

        MacAddress mac = new MacAddress(0x5254_00CC_0001L);
        Ipv4Address ip = Ipv4Address.parse("10.2.0.2");
        List<BootEvent> boot = Events.fullBoot(mac, ip, Instant.now(), "sanboot");
        By row = By.id("m-" + mac.toHex());
        WebDriverWait oneSecond = new WebDriverWait(driver, Duration.ofMillis(Long.getLong("dashboard.deadline.ms", 1000)),
                Duration.ofMillis(20));

        // each step: publish to Kafka, then the row must show the new stage within a second
        String[] expected = {"PXE_DHCP", "PXE_DHCP", "FIRMWARE_LOADED", "IPXE_DHCP", "IPXE_DHCP", "SCRIPT", "SAN_ATTACHED",
                "SAN_ATTACHED", "OS_RUNNING"};
        for (int i = 0; i < boot.size(); i++) {
            long t = System.nanoTime();
            KafkaClients.send(producer, List.of(boot.get(i)));
            String stage = expected[i];
            oneSecond.until(d -> {
                List<WebElement> rows = d.findElements(row);
                return !rows.isEmpty() && stage.equals(rows.get(0).getAttribute("data-stage"));
            });
            LOG.infof("%s visible on the page %d ms after the broker's ack", boot.get(i).type(), (System.nanoTime() - t) / 1_000_000);
        }
        WebElement r = driver.findElement(row);
        assertThat(r.findElement(By.className("stage")).getText()).isEqualTo("OS_RUNNING");
        assertThat(r.findElement(By.className("ip")).getText()).isEqualTo("10.2.0.2");
        assertThat(r.findElements(By.cssSelector(".chain span.reached"))).hasSize(6);
        assertThat(driver.findElement(By.cssSelector("#counts li[data-stage=OS_RUNNING] b")).getText()).isNotEqualTo("0");

        // a failing machine stands out
        MacAddress bad = new MacAddress(0x5254_00CC_0002L);
        Ipv4Address badIp = Ipv4Address.parse("10.2.0.3");
        KafkaClients.send(producer, List.of(Events.acked(bad, badIp, ClientKind.FIRMWARE, Instant.now()),
                Events.tftpFailed(bad, badIp, Instant.now())));
        oneSecond.until(d -> {
            List<WebElement> rows = d.findElements(By.id("m-" + bad.toHex()));
            return !rows.isEmpty() && rows.get(0).getAttribute("class").contains("FAILED");
        });
        assertThat(driver.findElement(By.id("m-" + bad.toHex())).findElement(By.className("reason")).getText())
                .contains("file not found");
        assertThat(driver.findElement(By.cssSelector("#counts li[data-stage=FAILED] b")).getText()).isNotEqualTo("0");

        // the timeline of a boot opens on click
        driver.findElement(row).click();
        generous.until(ExpectedConditions.visibilityOfElementLocated(By.id("timeline")));
        generous.until(d -> d.findElements(By.cssSelector("#timeline-events tr.event")).size() >= boot.size());
        assertThat(driver.findElement(By.id("timeline")).getAttribute("data-attempt")).isEqualTo(boot.get(0).id().toString());
        assertThat(driver.findElements(By.cssSelector("#timeline-stages li"))).extracting(e -> e.getAttribute("data-stage"))
                .containsExactly("PXE_DHCP", "FIRMWARE_LOADED", "IPXE_DHCP", "SCRIPT", "SAN_ATTACHED", "OS_RUNNING");
    }
}
