package io.chainboot.inventory.auth;

/** Who made a request: the token's id and name ({@code bootstrap} for state/api-token) and its role. */
public record Caller(String tokenId, String name, Role role) {
    /** The request property the filter stores the caller under, for audit in the resources. */
    public static final String PROPERTY = "chainboot.caller";

    public static final Caller BOOTSTRAP = new Caller("bootstrap", "bootstrap", Role.ADMIN);

    /** How the caller appears in logs and {@code created_by}: {@code name (id)}. */
    public String who() {
        return tokenId.equals(name) ? name : name + " (" + tokenId + ")";
    }
}
