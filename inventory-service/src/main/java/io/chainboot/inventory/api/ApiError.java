package io.chainboot.inventory.api;

/** Body of every error response. */
public record ApiError(String error) {
}
