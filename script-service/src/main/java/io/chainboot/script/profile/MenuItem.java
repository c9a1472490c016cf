package io.chainboot.script.profile;

/**
 * One line of a {@code menu} profile: choosing it chains to {@code profile} (or, for the reserved
 * names {@code local}/{@code shell} with no such profile, exits to the next boot device / opens the
 * iPXE shell). {@code key} is an optional shortcut key.
 */
public record MenuItem(String profile, String label, String key) {
}
