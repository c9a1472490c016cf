package io.chainboot.script.render;

import io.chainboot.events.Decoded;

/**
 * What may be written into an iPXE script. iPXE splits a script into lines, a line into
 * whitespace-separated arguments, and expands {@code ${name}} settings in every argument
 * (iPXE {@code src/core/exec.c} {@code split_command}, {@code src/core/settings.c}
 * {@code expand_settings}); {@code ||}/{@code &&} tokens chain commands and {@code :label}/{@code #}
 * lines are labels and comments. A value from outside (hostname, label, parameter, query) is
 * therefore only written when it cannot end a line, start an expansion, split an argument, or
 * chain a command: it is checked here and refused otherwise — never silently "fixed".
 */
public final class IpxeText {
    private static final int MAX = 255;

    private IpxeText() {
    }

    /** One argument: letters, digits and {@code . _ : / = , + @ % ~ -}; no space, no {@code $}, no quote. */
    public static boolean isToken(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!tokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Several arguments separated by single spaces (kernel arguments, menu text from a machine spec). */
    public static boolean isWords(String s) {
        if (s == null || s.isEmpty() || s.length() > 4 * MAX || s.startsWith(" ") || s.endsWith(" ") || s.contains("  ")) {
            return false;
        }
        for (String w : s.split(" ")) {
            if (!isToken(w) || w.equals("||") || w.equals("&&")) {
                return false;
            }
        }
        return true;
    }

    /** Administrator-written text (profile files): one line, no control characters; {@code ${..}} is allowed. */
    public static boolean isLine(String s) {
        if (s == null || s.length() > 8 * MAX) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    public static Decoded<String> token(String what, String value) {
        return isToken(value) ? Decoded.valid(value)
                : Decoded.invalid(what + " has characters not allowed in a boot script (allowed: letters, digits and ._:/=,+@%~-)");
    }

    public static Decoded<String> words(String what, String value) {
        return isWords(value) ? Decoded.valid(value)
                : Decoded.invalid(what + " has characters not allowed in a boot script (allowed: words of letters, digits and ._:/=,+@%~- separated by single spaces)");
    }

    public static Decoded<String> line(String what, String value) {
        return isLine(value) ? Decoded.valid(value)
                : Decoded.invalid(what + " must be one line of printable ASCII");
    }

    /**
     * Text for an {@code echo} on the machine's console (error reasons): every character that could
     * change the meaning of the line becomes {@code ?}, and the text is cut at 200 characters.
     */
    public static String forEcho(String s) {
        if (s == null || s.isEmpty()) {
            return "(no reason given)";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(tokenChar(c) || c == ' ' || c == '(' || c == ')' || c == ';' || c == '!' || c == '?'
                    || c == '[' || c == ']' ? c : '?');
        }
        return b.toString();
    }

    private static boolean tokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == ':' || c == '/' || c == '=' || c == ',' || c == '+'
                || c == '@' || c == '%' || c == '~' || c == '-';
    }
}
