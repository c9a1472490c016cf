package io.chainboot.events;

import java.util.Objects;
import java.util.function.Function;

/**
 * The result of decoding untrusted bytes: a value, or the reason it is not one. Decoders return
 * this instead of throwing, so bad input is counted and logged by the caller and never unwinds
 * an event loop.
 */
public sealed interface Decoded<T> {

    record Valid<T>(T value) implements Decoded<T> {
        public Valid {
            Objects.requireNonNull(value, "value");
        }
    }

    record Invalid<T>(String reason) implements Decoded<T> {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }

    static <T> Decoded<T> valid(T value) {
        return new Valid<>(value);
    }

    static <T> Decoded<T> invalid(String reason) {
        return new Invalid<>(reason);
    }

    default boolean isValid() {
        return this instanceof Valid;
    }

    /** The value; throws {@link IllegalStateException} with the reason when invalid. */
    default T orElseThrow() {
        if (this instanceof Valid<T> v) {
            return v.value();
        }
        throw new IllegalStateException(((Invalid<T>) this).reason());
    }

    default <R> Decoded<R> map(Function<? super T, ? extends R> f) {
        if (this instanceof Valid<T> v) {
            return new Valid<>(f.apply(v.value()));
        }
        return new Invalid<>(((Invalid<T>) this).reason());
    }
}
