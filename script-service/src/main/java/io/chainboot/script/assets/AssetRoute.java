package io.chainboot.script.assets;

import io.chainboot.script.config.ScriptConfig;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * {@code GET|HEAD /assets/**}: large boot files (wimboot, boot.wim, kernels, ISOs) from
 * {@code chainboot.script.assets-dir}. Validators and conditionals per RFC 9110 §8.8 (ETag,
 * Last-Modified), §13.1.2/§13.1.3 (If-None-Match, If-Modified-Since), §13.1.5 (If-Range), one byte
 * range per §14 (206, or 416 with {@code Content-Range: bytes * /size}); the body goes out with
 * Vert.x {@code sendFile} (zero-copy {@code sendfile(2)} where the transport allows it). The file
 * look-up runs on a worker thread; the transfer itself is asynchronous.
 */
@ApplicationScoped
public class AssetRoute {
    private static final Logger LOG = Logger.getLogger(AssetRoute.class);
    static final String PREFIX = "/assets/";

    private final AssetPaths paths;

    public AssetRoute(ScriptConfig config) {
        this.paths = new AssetPaths(Path.of(config.assetsDir()));
    }

    void routes(@Observes Router router) {
        router.route(PREFIX + "*").method(HttpMethod.GET).method(HttpMethod.HEAD).blockingHandler(this::serve, false);
    }

    void serve(RoutingContext rc) {
        HttpServerResponse resp = rc.response();
        String raw = rc.request().path();
        String rel = raw.length() > PREFIX.length() ? raw.substring(PREFIX.length()) : "";
        Path file = paths.resolve(rel).orElse(null);
        if (file == null) {
            resp.setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain").end("no such asset\n");
            return;
        }
        send(rc, file, bytes -> { });
    }

    /**
     * Sends {@code file} with validators, conditionals and one byte range; {@code whole} is told the
     * size once a complete 200 body went out (not for HEAD, 206, 304 or an interrupted transfer).
     * Returns false (and sends 404) when the file cannot be read.
     */
    static boolean send(RoutingContext rc, Path file, java.util.function.LongConsumer whole) {
        HttpServerResponse resp = rc.response();
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            resp.setStatusCode(404).end();
            return false;
        }
        long size = attrs.size();
        Instant modified = attrs.lastModifiedTime().toInstant();
        String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(attrs.lastModifiedTime().toMillis()) + "\"";
        String lastModified = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.ofInstant(modified, ZoneOffset.UTC));
        resp.putHeader(HttpHeaders.ETAG, etag)
                .putHeader(HttpHeaders.LAST_MODIFIED, lastModified)
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                .putHeader(HttpHeaders.CONTENT_TYPE, contentType(file));

        if (notModified(rc, etag, modified)) {
            resp.setStatusCode(304).end();
            return true;
        }
        String rangeHeader = rc.request().getHeader("range");
        String ifRange = rc.request().getHeader("if-range");
        if (rangeHeader != null && ifRange != null && !ifRange.equals(etag) && !ifRange.equals(lastModified)) {
            rangeHeader = null; // the client's copy is stale: send the whole new file (RFC 9110 §13.1.5)
        }
        ByteRange range = ByteRange.parse(rangeHeader, size);
        boolean head = rc.request().method() == HttpMethod.HEAD;
        if (range instanceof ByteRange.Unsatisfiable) {
            resp.setStatusCode(416).putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + size).end();
            return true;
        }
        long offset = 0;
        long length = size;
        if (range instanceof ByteRange.Part part) {
            offset = part.first();
            length = part.length();
            resp.setStatusCode(206).putHeader(HttpHeaders.CONTENT_RANGE, part.contentRange(size));
        }
        if (head) {
            resp.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length)).end();
            return true;
        }
        boolean complete = !(range instanceof ByteRange.Part);
        resp.sendFile(file.toString(), offset, length)
                .onSuccess(v -> {
                    if (complete) {
                        whole.accept(size);
                    }
                })
                .onFailure(e -> LOG.debugf("sending %s stopped: %s", file, e.getMessage()));
        return true;
    }

    /** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since. */
    private static boolean notModified(RoutingContext rc, String etag, Instant modified) {
        String inm = rc.request().getHeader(HttpHeaders.IF_NONE_MATCH);
        if (inm != null) {
            if (inm.strip().equals("*")) {
                return true;
            }
            for (String tag : inm.split(",")) {
                String t = tag.strip();
                if (t.startsWith("W/")) {
                    t = t.substring(2);
                }
                if (t.equals(etag)) {
                    return true;
                }
            }
            return false;
        }
        String ims = rc.request().getHeader(HttpHeaders.IF_MODIFIED_SINCE);
        if (ims != null) {
            try {
                Instant since = ZonedDateTime.parse(ims.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return modified.getEpochSecond() <= since.getEpochSecond();
            } catch (DateTimeParseException e) {
                return false;
            }
        }
        return false;
    }

    static String contentType(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".ipxe") || n.endsWith(".txt") || n.endsWith(".cfg") || n.endsWith(".bat") || n.endsWith(".ini")
                || n.endsWith(".cmd")) {
            return "text/plain; charset=utf-8";
        }
        if (n.endsWith(".xml")) {
            return "application/xml";
        }
        if (n.endsWith(".iso")) {
            return "application/x-iso9660-image";
        }
        return "application/octet-stream";
    }
}
