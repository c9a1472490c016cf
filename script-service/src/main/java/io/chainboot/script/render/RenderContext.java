package io.chainboot.script.render;

/**
 * Where a script sends the machine: this service's base URL (null = links relative to the script's
 * own URL, which iPXE resolves), the iSCSI portal, and the shared naming/secret settings.
 */
public record RenderContext(String baseUrl, String iscsiServer, int iscsiPort, String iqnPrefix,
                            String clusterSecret, int retryDelaySeconds) {

    /** {@code <base>/<path>}, or {@code path} alone when there is no base URL. */
    public String link(String path) {
        return baseUrl == null ? path : baseUrl + "/" + path;
    }
}
