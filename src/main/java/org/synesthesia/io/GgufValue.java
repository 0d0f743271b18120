package org.synesthesia.io;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.synesthesia.util.Json;

/**
 * One GGUF metadata value with its GGUF type. Java values: every integer type is a {@code Long} (UINT64 keeps
 * its 64 bits; read it with {@link Long#toUnsignedString}), FLOAT32 a {@code Float}, FLOAT64 a {@code Double},
 * BOOL a {@code Boolean}, STRING a {@code String}, ARRAY a {@code List} of its elements' Java values (nested
 * arrays: of {@code GgufValue}s), with {@code elementType} the elements' type.
 */
public record GgufValue(Type type, Type elementType, Object value) {
    /** GGUF metadata value types and their ids. */
    public enum Type {
        UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

        public int id() { return ordinal(); }

        public static Type of(int id) {
            return id >= 0 && id < values().length ? values()[id] : null;
        }

        boolean isInteger() {
            return switch (this) { case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true; default -> false; };
        }
    }

    public GgufValue {
        Objects.requireNonNull(type);
        if (type == Type.ARRAY) {
            Objects.requireNonNull(elementType, "array element type");
            if (!(value instanceof List<?> l)) throw new IllegalArgumentException("GGUF array value must be a List");
            value = List.copyOf(l);
            for (Object o : (List<?>) value) check(elementType, o);
        } else {
            if (elementType != null) throw new IllegalArgumentException("element type only for arrays");
            check(type, value);
        }
    }

    private static void check(Type t, Object v) {
        boolean ok = switch (t) {
            case FLOAT32 -> v instanceof Float;
            case FLOAT64 -> v instanceof Double;
            case BOOL -> v instanceof Boolean;
            case STRING -> v instanceof String;
            case ARRAY -> v instanceof GgufValue g && g.type() == Type.ARRAY;
            default -> v instanceof Long;
        };
        if (!ok) throw new IllegalArgumentException("GGUF " + t + " value cannot be " + (v == null ? "null" : v.getClass().getSimpleName()));
        if (v instanceof Long l && !inRange(t, l)) throw new IllegalArgumentException(l + " does not fit GGUF " + t);
    }

    private static boolean inRange(Type t, long v) {
        return switch (t) {
            case UINT8 -> v >= 0 && v <= 0xff;
            case INT8 -> v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE;
            case UINT16 -> v >= 0 && v <= 0xffff;
            case INT16 -> v >= Short.MIN_VALUE && v <= Short.MAX_VALUE;
            case UINT32 -> v >= 0 && v <= 0xffffffffL;
            case INT32 -> v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
            default -> true;
        };
    }

    public static GgufValue u8(long v) { return new GgufValue(Type.UINT8, null, v); }
    public static GgufValue i8(long v) { return new GgufValue(Type.INT8, null, v); }
    public static GgufValue u16(long v) { return new GgufValue(Type.UINT16, null, v); }
    public static GgufValue i16(long v) { return new GgufValue(Type.INT16, null, v); }
    public static GgufValue u32(long v) { return new GgufValue(Type.UINT32, null, v); }
    public static GgufValue i32(long v) { return new GgufValue(Type.INT32, null, v); }
    public static GgufValue u64(long v) { return new GgufValue(Type.UINT64, null, v); }
    public static GgufValue i64(long v) { return new GgufValue(Type.INT64, null, v); }
    public static GgufValue f32(float v) { return new GgufValue(Type.FLOAT32, null, v); }
    public static GgufValue f64(double v) { return new GgufValue(Type.FLOAT64, null, v); }
    public static GgufValue bool(boolean v) { return new GgufValue(Type.BOOL, null, v); }
    public static GgufValue string(String v) { return new GgufValue(Type.STRING, null, v); }
    public static GgufValue array(Type elementType, List<?> values) { return new GgufValue(Type.ARRAY, elementType, values); }

    /** The value as an integer (integer types only). */
    public long asLong() {
        if (!type.isInteger()) throw new IllegalStateException("GGUF " + type + " is not an integer");
        return (Long) value;
    }

    /** Strings as they are, UINT64 unsigned, arrays as JSON (UINT64 values above 2^63-1 as strings). */
    public String asText() {
        if (type == Type.STRING) return (String) value;
        if (type == Type.ARRAY) return Json.write(plain());
        return String.valueOf(plain());
    }

    private Object plain() {
        if (type == Type.UINT64) return (Long) value >= 0 ? value : Long.toUnsignedString((Long) value);
        if (type == Type.FLOAT32) return Float.isFinite((Float) value) ? (Object) Double.parseDouble(value.toString()) : value.toString();
        if (type == Type.FLOAT64 && !Double.isFinite((Double) value)) return value.toString();
        if (type != Type.ARRAY) return value;
        List<Object> out = new ArrayList<>();
        for (Object o : (List<?>) value) out.add(o instanceof GgufValue g ? g.plain() : new GgufValue(elementType, null, o).plain());
        return out;
    }
}
