package org.synesthesia.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Pickle bytes opcode by opcode, and the crafted pickles every pickle reader is fed: deep nesting, self references,
 * dangerous globals (by GLOBAL, STACK_GLOBAL and REDUCE/INST/OBJ), absurd lengths, broken stacks and memos, and
 * tensors with huge or negative sizes, strides and offsets.
 */
final class Pickles {
    private final ByteArrayOutputStream b = new ByteArrayOutputStream();

    Pickles op(int... bytes) {
        for (int x : bytes) b.write(x);
        return this;
    }

    Pickles raw(byte[] bytes) {
        b.writeBytes(bytes);
        return this;
    }

    Pickles le(long v, int width) {
        for (int i = 0; i < width; i++) b.write((int) (v >>> (8 * i)));
        return this;
    }

    Pickles proto(int v) { return op(0x80, v); }
    Pickles mark() { return op('('); }
    Pickles tuple() { return op('t'); }
    Pickles emptyTuple() { return op(')'); }
    Pickles emptyDict() { return op('}'); }
    Pickles emptyList() { return op(']'); }
    Pickles reduce() { return op('R'); }
    Pickles stop() { return op('.'); }

    Pickles integer(long v) {
        if (v >= 0 && v < 256) return op('K', (int) v);
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) return op('J').le(v, 4);
        return op(0x8a, 8).le(v, 8); // LONG1, 8 bytes two's complement
    }

    Pickles str(String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        return op('X').le(u.length, 4).raw(u);
    }

    Pickles global(String module, String name) {
        return op('c').raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
    }

    Pickles ints(long... v) {
        mark();
        for (long x : v) integer(x);
        return tuple();
    }

    /** {@code _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), offset, size, stride, False, OrderedDict())}. */
    Pickles tensor(String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        mark().str("storage").global("torch", "FloatStorage").str(key).str("cpu").integer(numel).tuple().op('Q');
        integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    byte[] bytes() { return b.toByteArray(); }

    /** A named crafted pickle (a whole pickle, ending in STOP where it should). */
    record Crafted(String name, byte[] bytes, boolean dangerous) {
        Crafted(String name, byte[] bytes) {
            this(name, bytes, false);
        }
    }

    /** A state dict {"w": tensor} whose tensor has the given size, stride and offset over a storage of {@code numel}. */
    static byte[] stateDict(long numel, long offset, long[] size, long[] stride) {
        Pickles p = new Pickles().proto(2).emptyDict().mark().str("w");
        p.tensor("0", numel, offset, size, stride);
        return p.op('u').stop().bytes();
    }

    private static List<Crafted> all;

    /** Every crafted pickle (built once: the deep ones are megabytes). */
    static synchronized List<Crafted> all() {
        if (all == null) all = List.copyOf(build());
        return all;
    }

    private static List<Crafted> build() {
        List<Crafted> c = new ArrayList<>();
        int deep = 1_000_000;
        Pickles lists = new Pickles().proto(2);
        for (int i = 0; i < deep; i++) lists.op('(');
        for (int i = 0; i < deep; i++) lists.op('l');
        c.add(new Crafted("lists nested 1,000,000 deep", lists.stop().bytes()));
        Pickles dicts = new Pickles().proto(2);
        for (int i = 0; i < 100_000; i++) dicts.emptyDict().str("k");
        dicts.emptyDict();
        for (int i = 0; i < 100_000; i++) dicts.op('s');
        c.add(new Crafted("dicts nested 100,000 deep", dicts.stop().bytes()));
        Pickles tuples = new Pickles().proto(2).emptyTuple();
        for (int i = 0; i < 100_000; i++) tuples.op(0x85); // TUPLE1
        c.add(new Crafted("tuples nested 100,000 deep", tuples.stop().bytes()));
        c.add(new Crafted("list containing itself", new Pickles().proto(2).emptyList().op('q', 0).op('h', 0).op('a').stop().bytes()));
        c.add(new Crafted("dict containing itself", new Pickles().proto(2).emptyDict().op('q', 0).str("self").op('h', 0).op('s').stop().bytes()));
        c.add(new Crafted("state dict containing itself",
                new Pickles().proto(2).emptyDict().op('q', 0).str("w").op('h', 0).op('s').str("x").emptyList().op('q', 1).op('h', 1).op('a').op('s').stop().bytes()));
        String[][] evil = {{"os", "system"}, {"posix", "system"}, {"nt", "system"}, {"subprocess", "Popen"}, {"builtins", "eval"},
                {"builtins", "exec"}, {"__builtin__", "eval"}, {"builtins", "getattr"}, {"builtins", "__import__"}, {"torch", "load"},
                {"torch.serialization", "load"}, {"runpy", "_run_code"}, {"webbrowser", "open"}, {"pickle", "loads"}, {"shutil", "rmtree"},
                {"numpy", "load"}, {"torch._utils", "_rebuild_tensor_v2\nos"}, {"__torch__.x", "y"}, {"os", "system\u001b[2J"}};
        for (String[] g : evil) {
            boolean dangerous = !g[0].startsWith("__torch__") && !g[1].contains("\n"); // TorchScript classes are inert records
            c.add(new Crafted("GLOBAL " + g[0] + "." + g[1].replace("\n", "\\n").replace("\u001b", "\\e") + " called",
                    new Pickles().proto(2).global(g[0], g[1]).mark().str("echo pwned > /tmp/synesthesia-fuzz-pwned").tuple().reduce().stop().bytes(), dangerous));
            c.add(new Crafted("STACK_GLOBAL " + g[0] + "." + g[1].replace("\n", "\\n").replace("\u001b", "\\e") + " called",
                    new Pickles().proto(4).str(g[0]).str(g[1]).op(0x93).mark().str("echo pwned").tuple().reduce().stop().bytes(), dangerous));
        }
        c.add(new Crafted("INST os.system", new Pickles().proto(0).mark().str("echo pwned").op('i').raw("os\nsystem\n".getBytes()).stop().bytes(), true));
        c.add(new Crafted("OBJ subprocess.Popen", new Pickles().proto(2).mark().global("subprocess", "Popen").str("ls").op('o').stop().bytes(), true));
        c.add(new Crafted("NEWOBJ os.system", new Pickles().proto(2).global("os", "system").mark().tuple().op(0x81).stop().bytes(), true));
        c.add(new Crafted("BUILD on an allowed OrderedDict with __setstate__ data",
                new Pickles().proto(2).global("collections", "OrderedDict").emptyTuple().reduce().emptyDict().op('b').stop().bytes()));
        c.add(new Crafted("BINUNICODE of 4 GiB", new Pickles().proto(2).op('X').le(0xffffffffL, 4).raw(new byte[16]).stop().bytes()));
        c.add(new Crafted("BINUNICODE8 of 2^62 bytes", new Pickles().proto(4).op(0x8d).le(1L << 62, 8).raw(new byte[16]).stop().bytes()));
        c.add(new Crafted("BINBYTES8 of -1 bytes", new Pickles().proto(4).op(0x8e).le(-1, 8).raw(new byte[16]).stop().bytes()));
        c.add(new Crafted("LONG4 of 2^31-1 bytes", new Pickles().proto(2).op(0x8b).le(0x7fffffffL, 4).raw(new byte[16]).stop().bytes()));
        c.add(new Crafted("LONG4 of negative length", new Pickles().proto(2).op(0x8b).le(-5, 4).raw(new byte[16]).stop().bytes()));
        c.add(new Crafted("FRAME of 2^62 bytes", new Pickles().proto(4).op(0x95).le(1L << 62, 8).emptyDict().stop().bytes()));
        c.add(new Crafted("LONG_BINGET of an undefined memo 2^31-1", new Pickles().proto(2).op('j').le(0x7fffffffL, 4).stop().bytes()));
        c.add(new Crafted("LONG_BINPUT at memo 2^31-1", new Pickles().proto(2).emptyDict().op('r').le(0x7fffffffL, 4).stop().bytes()));
        c.add(new Crafted("GET with a text index of 10^30", new Pickles().proto(0).op('g').raw("1000000000000000000000000000000\n".getBytes()).stop().bytes()));
        c.add(new Crafted("INT of 10^30 digits", new Pickles().proto(0).op('I').raw(("9".repeat(100_000) + "\n").getBytes()).stop().bytes()));
        c.add(new Crafted("STOP on an empty stack", new Pickles().proto(2).stop().bytes()));
        c.add(new Crafted("SETITEMS with an odd item count", new Pickles().proto(2).emptyDict().mark().str("a").op('u').stop().bytes()));
        c.add(new Crafted("APPENDS without a list", new Pickles().proto(2).emptyDict().mark().str("a").op('e').stop().bytes()));
        c.add(new Crafted("POP_MARK without a mark", new Pickles().proto(2).op('1').stop().bytes()));
        c.add(new Crafted("TUPLE without a mark", new Pickles().proto(2).integer(1).tuple().stop().bytes()));
        c.add(new Crafted("unknown opcode 0xff", new Pickles().proto(2).op(0xff).stop().bytes()));
        c.add(new Crafted("protocol 99", new Pickles().proto(99).emptyDict().stop().bytes()));
        c.add(new Crafted("EXT1 code 1", new Pickles().proto(2).op(0x82, 1).stop().bytes()));
        c.add(new Crafted("PERSID text id", new Pickles().proto(0).op('P').raw("abc\n".getBytes()).stop().bytes()));
        c.add(new Crafted("no STOP", new Pickles().proto(2).emptyDict().bytes()));
        c.add(new Crafted("empty", new byte[0]));
        long[][] shapes = {{1L << 62}, {Long.MAX_VALUE}, {-1}, {1L << 31, 1L << 31}, {0, Long.MAX_VALUE}, {4, -4}};
        for (long[] s : shapes)
            c.add(new Crafted("tensor of size " + java.util.Arrays.toString(s), stateDict(4, 0, s, new long[s.length == 1 ? 1 : 2])));
        c.add(new Crafted("tensor with offset 2^62", stateDict(4, 1L << 62, new long[] {4}, new long[] {1})));
        c.add(new Crafted("tensor with offset -1", stateDict(4, -1, new long[] {4}, new long[] {1})));
        c.add(new Crafted("tensor with stride 2^62", stateDict(4, 0, new long[] {2}, new long[] {1L << 62})));
        c.add(new Crafted("tensor with stride -1", stateDict(4, 0, new long[] {4}, new long[] {-1})));
        c.add(new Crafted("tensor over a storage of 2^62 elements", stateDict(1L << 62, 0, new long[] {4}, new long[] {1})));
        c.add(new Crafted("tensor over a storage of -1 elements", stateDict(-1, 0, new long[] {4}, new long[] {1})));
        c.add(new Crafted("tensor with size and stride of different ranks", stateDict(4, 0, new long[] {2, 2}, new long[] {1})));
        return c;
    }
}
