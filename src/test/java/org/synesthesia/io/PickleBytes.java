package org.synesthesia.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Builds pickle bytes opcode by opcode, for tests (torch checkpoints, forbidden globals, malformed input). */
final class PickleBytes {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    PickleBytes op(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    PickleBytes proto(int v) { return op(0x80, v); }
    PickleBytes mark() { return op('('); }
    PickleBytes emptyDict() { return op('}'); }
    PickleBytes emptyTuple() { return op(')'); }
    PickleBytes tuple() { return op('t'); }
    PickleBytes setItems() { return op('u'); }
    PickleBytes reduce() { return op('R'); }
    PickleBytes persid() { return op('Q'); }
    PickleBytes none() { return op('N'); }
    PickleBytes bool(boolean v) { return op(v ? 0x88 : 0x89); }
    PickleBytes stop() { return op('.'); }
    PickleBytes put(int i) { return op('q', i); }
    PickleBytes get(int i) { return op('h', i); }

    PickleBytes integer(long v) {
        if (v >= 0 && v < 256) return op('K', (int) v);
        if (v >= 0 && v < 65536) return op('M', (int) (v & 0xff), (int) (v >> 8));
        if (v != (int) v) { // LONG1: 8 little-endian two's-complement bytes
            op(0x8a, 8);
            for (int i = 0; i < 8; i++) b.write((int) (v >> (8 * i)));
            return this;
        }
        op('J');
        for (int i = 0; i < 4; i++) b.write((int) (v >> (8 * i)));
        return this;
    }

    PickleBytes str(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        if (u.length < 256) { op(0x8c, u.length); b.writeBytes(u); return this; }
        op('X');
        for (int i = 0; i < 4; i++) b.write(u.length >> (8 * i));
        b.writeBytes(u);
        return this;
    }

    /** GLOBAL opcode: {@code c module\nname\n}. */
    PickleBytes global(String module, String name) {
        op('c');
        b.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBytes ints(long... v) {
        mark();
        for (long x : v) integer(x);
        return tuple();
    }

    /**
     * {@code _rebuild_tensor_v2(persistent ('storage', TYPE, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}.
     */
    PickleBytes tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).tuple().persid();
        integer(offset);
        ints(size);
        ints(stride);
        bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        tuple();
        return reduce();
    }

    byte[] bytes() { return b.toByteArray(); }
}
