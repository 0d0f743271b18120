package org.synesthesia.io;

import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.synesthesia.tensor.DType;
import org.synesthesia.util.SynesthesiaException;

/**
 * A restricted reader of Python pickles (protocols 0-5, the opcodes state dicts use). It builds plain data and
 * never runs anything: a pickle may only name the globals a PyTorch state dict needs (see {@link #allowed});
 * any other global is refused with one error line naming the file and the global.
 *
 * <p>Python values become: {@code None -> null}, {@code bool -> Boolean}, {@code int -> Long} (or
 * {@link BigInteger} when it does not fit), {@code float -> Double}, {@code str -> String},
 * {@code bytes/bytearray -> byte[]}, {@code tuple -> }{@link Tuple}, {@code list/set -> ArrayList},
 * {@code dict/OrderedDict -> LinkedHashMap}; torch tensors become {@link TensorRef} over whatever the caller's
 * persistent-id loader returns for their storage. A few classes that real training checkpoints (SD 1.x
 * {@code .ckpt}) carry beside their state dict are let through as data, never constructed: numpy scalars (a plain
 * number is decoded from its bytes), {@code numpy.dtype} and Lightning's ModelCheckpoint callback become inert
 * {@link Opaque} records, so the reader does not fail on a checkpoint's side data.
 *
 * <p>A TorchScript archive's {@code data.pkl} ({@link #loadScript}) may also name classes under {@code __torch__}
 * (the archive's module classes): each object becomes a {@link ScriptObject}, a record of the class name and the
 * attribute dict its BUILD gives; the class is never looked up or run. {@code torch.jit._pickle}'s list builders
 * and type tags give their plain values. Everything else stays refused.
 */
public final class Unpickler {
    /** A global the pickle named (only allowed ones are ever created). */
    public record Global(String module, String name) {
        public String qualified() { return module + "." + name; }
        @Override public String toString() { return qualified(); }
    }

    /** A Python tuple. */
    public record Tuple(List<Object> items) {
        public Object get(int i) { return items.get(i); }
        public int size() { return items.size(); }
    }

    /** {@code torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)}: offset and stride in elements. */
    public record TensorRef(Object storage, long offset, long[] size, long[] stride) {
        public long elements() {
            long n = 1;
            for (long d : size) n *= d;
            return n;
        }
    }

    /** An object of an inert class (never constructed): the class name, its arguments, and its BUILD state. */
    public record Opaque(String global, Object args) {
        @Override public String toString() { return "<" + global + ">"; }
    }

    /**
     * An object of a TorchScript class ({@code __torch__.model.CLIP}, {@code __torch__.torch.nn.modules.conv.Conv2d},
     * ...) in a TorchScript archive's {@code data.pkl}: only a record of its class name and the attributes its BUILD
     * set (attribute name -> value: tensors, submodules, flags). The class is never resolved to code; a BUILD state
     * that is not a dict (a class with {@code __getstate__}), or the arguments of an enum's value, is kept whole in
     * {@link #state}.
     */
    public static final class ScriptObject {
        private final String type;
        private final Map<Object, Object> attributes = new LinkedHashMap<>();
        private Object state;

        ScriptObject(String type) { this.type = type; }

        /** The qualified class name, e.g. {@code __torch__.model.CLIP}. */
        public String type() { return type; }
        public Map<Object, Object> attributes() { return attributes; }
        /** The BUILD state when it was not a dict, or the constructor arguments (an enum value), else null. */
        public Object state() { return state; }
        @Override public String toString() { return "<" + type + ">"; }
    }

    private static final Map<String, DType> STORAGE_TYPES = Map.ofEntries(
            Map.entry("torch.FloatStorage", DType.F32), Map.entry("torch.HalfStorage", DType.F16),
            Map.entry("torch.BFloat16Storage", DType.BF16), Map.entry("torch.DoubleStorage", DType.F64),
            Map.entry("torch.LongStorage", DType.I64), Map.entry("torch.IntStorage", DType.I32),
            Map.entry("torch.ShortStorage", DType.I16), Map.entry("torch.CharStorage", DType.I8),
            Map.entry("torch.ByteStorage", DType.U8), Map.entry("torch.BoolStorage", DType.BOOL),
            Map.entry("torch.UntypedStorage", DType.U8), Map.entry("torch.storage.UntypedStorage", DType.U8),
            Map.entry("torch.float32", DType.F32), Map.entry("torch.float", DType.F32),
            Map.entry("torch.float16", DType.F16), Map.entry("torch.half", DType.F16),
            Map.entry("torch.bfloat16", DType.BF16), Map.entry("torch.float64", DType.F64),
            Map.entry("torch.double", DType.F64), Map.entry("torch.int64", DType.I64), Map.entry("torch.long", DType.I64),
            Map.entry("torch.int32", DType.I32), Map.entry("torch.int", DType.I32), Map.entry("torch.int16", DType.I16),
            Map.entry("torch.short", DType.I16), Map.entry("torch.int8", DType.I8), Map.entry("torch.uint8", DType.U8),
            Map.entry("torch.bool", DType.BOOL));

    /** Callables whose result is plain data built here (never Python code). */
    private static final Set<String> FUNCTIONS = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
            "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
            "torch._tensor._rebuild_from_type_v2", "builtins.set", "builtins.frozenset", "_codecs.encode", "torch.Size");

    /** Tensor classes {@code _rebuild_from_type_v2} may name (the result is the plain tensor). */
    private static final Set<String> TENSOR_TYPES = Set.of("torch.Tensor", "torch._tensor.Tensor", "torch.nn.parameter.Parameter");

    /** Side data of training checkpoints, kept as inert {@link Opaque} values. */
    private static final Set<String> INERT = Set.of(
            "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar", "numpy.dtype",
            "pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint",
            "lightning.pytorch.callbacks.model_checkpoint.ModelCheckpoint");

    /**
     * What a TorchScript archive's {@code data.pkl} may name besides {@link #allowed}: {@code torch.jit._pickle}'s
     * list builders (a typed list from its items) and type tags (the value itself), and {@code torch.device} (its
     * string). Classes under {@code __torch__} become {@link ScriptObject}s.
     */
    private static final Set<String> SCRIPT_FUNCTIONS = Set.of(
            "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
            "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_complexlist", "torch.jit._pickle.restore_type_tag",
            "torch.device");

    /** Whether a TorchScript archive's pickle may name {@code module.name}. */
    public static boolean allowedInScript(String qualified) {
        return allowed(qualified) || SCRIPT_FUNCTIONS.contains(qualified) || isScriptClass(qualified);
    }

    /** A TorchScript class name: {@code __torch__.} followed by dotted identifiers. */
    static boolean isScriptClass(String qualified) {
        return qualified.startsWith("__torch__.") && qualified.matches("__torch__(\\.[A-Za-z_][A-Za-z0-9_]*)+");
    }

    /** Whether a pickle may name {@code module.name}. */
    public static boolean allowed(String qualified) {
        return STORAGE_TYPES.containsKey(qualified) || FUNCTIONS.contains(qualified) || TENSOR_TYPES.contains(qualified)
                || INERT.contains(qualified);
    }

    /** The element type a storage class ({@code torch.HalfStorage}) or dtype ({@code torch.float16}) names, else null. */
    public static DType storageDType(Object token) {
        return token instanceof Global g ? STORAGE_TYPES.get(g.qualified()) : null;
    }

    private static final Object MARK = new Object() {
        @Override public String toString() { return "MARK"; }
    };

    private final Cursor in;
    private final Object file;
    private final Function<Object, Object> persistentLoad;
    private final boolean script;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();

    private Unpickler(Cursor in, Object file, Function<Object, Object> persistentLoad, boolean script) {
        this.in = in;
        this.file = file;
        this.persistentLoad = persistentLoad;
        this.script = script;
    }

    /** Reads one pickle from the cursor's position up to and including its STOP. */
    static Object load(Cursor in, Object file, Function<Object, Object> persistentLoad) {
        return new Unpickler(in, file, persistentLoad, false).run();
    }

    /**
     * Reads a TorchScript archive's {@code data.pkl}: as {@link #load}, and also {@link #allowedInScript}; objects of
     * {@code __torch__} classes become {@link ScriptObject} records holding their BUILD state.
     */
    public static Object loadScript(Object file, MemorySegment data, Function<Object, Object> persistentLoad) {
        return new Unpickler(new Cursor(file, data), file, persistentLoad, true).run();
    }

    /** Reads the pickle in {@code data}; {@code persistentLoad} maps BINPERSID ids (null: refuse them). */
    public static Object load(Object file, MemorySegment data, Function<Object, Object> persistentLoad) {
        return load(new Cursor(file, data), file, persistentLoad);
    }

    public static Object load(Object file, byte[] data, Function<Object, Object> persistentLoad) {
        return load(file, MemorySegment.ofArray(data), persistentLoad);
    }

    private SynesthesiaException bad(String problem) {
        return SynesthesiaException.inFile(file, "malformed pickle: " + problem + " (near byte " + in.position() + ")");
    }

    private Object pop() {
        if (stack.isEmpty()) throw bad("stack underflow");
        Object o = stack.remove(stack.size() - 1);
        if (o == MARK) throw bad("unexpected MARK");
        return o;
    }

    private Object top() {
        if (stack.isEmpty() || stack.get(stack.size() - 1) == MARK) throw bad("stack underflow");
        return stack.get(stack.size() - 1);
    }

    /** Pops everything above the last MARK (and the MARK), in order. */
    private List<Object> popMark() {
        if (marks.isEmpty()) throw bad("no MARK");
        int m = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private String line(String what) {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.u8(what);
            if (c == '\n') break;
            b.append((char) c);
        }
        String s = b.toString();
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    private long length(long n, String what) {
        if (n < 0 || n > in.remaining()) in.need(n < 0 ? Long.MAX_VALUE : n, what);
        return n;
    }

    private Object run() {
        while (true) {
            int op = in.u8("pickle opcode");
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = in.u8("PROTO");
                    if (v > 5) throw bad("pickle protocol " + v + " is newer than 5");
                }
                case 0x95 -> in.i64("FRAME"); // FRAME: a length hint only
                case '.' -> { // STOP
                    Object r = pop();
                    checkStructure(r);
                    return r;
                }
                case '(' -> { marks.add(stack.size()); stack.add(MARK); }
                case '}' -> stack.add(new LinkedHashMap<Object, Object>());
                case ']' -> stack.add(new ArrayList<Object>());
                case ')' -> stack.add(new Tuple(List.of()));
                case 0x8f -> stack.add(new ArrayList<Object>()); // EMPTY_SET
                case 'N' -> stack.add(null);
                case 0x88 -> stack.add(Boolean.TRUE);
                case 0x89 -> stack.add(Boolean.FALSE);
                case 'J' -> stack.add((long) in.i32("BININT"));
                case 'K' -> stack.add((long) in.u8("BININT1"));
                case 'M' -> stack.add((long) in.u16("BININT2"));
                case 0x8a -> stack.add(longBytes(in.bytes(in.u8("LONG1"), "LONG1")));
                case 0x8b -> stack.add(longBytes(in.bytes(length(in.i32("LONG4"), "LONG4"), "LONG4")));
                case 'G' -> stack.add(Double.longBitsToDouble(Long.reverseBytes(in.i64("BINFLOAT"))));
                case 'I' -> { // INT (protocol 0; "01"/"00" are True/False)
                    String s = line("INT");
                    if (s.equals("01")) stack.add(Boolean.TRUE);
                    else if (s.equals("00")) stack.add(Boolean.FALSE);
                    else stack.add(parseInt(s));
                }
                case 'L' -> { String s = line("LONG"); stack.add(parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s)); }
                case 'F' -> {
                    String s = line("FLOAT");
                    try { stack.add(Double.parseDouble(s)); } catch (NumberFormatException e) { throw bad("bad FLOAT " + s); }
                }
                case 'X' -> stack.add(in.utf8(length(in.u32("BINUNICODE"), "BINUNICODE"), "BINUNICODE"));
                case 0x8c -> stack.add(in.utf8(in.u8("SHORT_BINUNICODE"), "SHORT_BINUNICODE"));
                case 0x8d -> stack.add(in.utf8(length(in.i64("BINUNICODE8"), "BINUNICODE8"), "BINUNICODE8"));
                case 'B' -> stack.add(in.bytes(length(in.u32("BINBYTES"), "BINBYTES"), "BINBYTES"));
                case 'C' -> stack.add(in.bytes(in.u8("SHORT_BINBYTES"), "SHORT_BINBYTES"));
                case 0x8e -> stack.add(in.bytes(length(in.i64("BINBYTES8"), "BINBYTES8"), "BINBYTES8"));
                case 0x96 -> stack.add(in.bytes(length(in.i64("BYTEARRAY8"), "BYTEARRAY8"), "BYTEARRAY8"));
                case 'U' -> stack.add(new String(in.bytes(in.u8("SHORT_BINSTRING"), "SHORT_BINSTRING"), StandardCharsets.ISO_8859_1));
                case 'T' -> stack.add(new String(in.bytes(length(in.u32("BINSTRING"), "BINSTRING"), "BINSTRING"), StandardCharsets.ISO_8859_1));
                case 0x85 -> stack.add(new Tuple(Arrays.asList(pop())));
                case 0x86 -> { Object b = pop(), a = pop(); stack.add(new Tuple(Arrays.asList(a, b))); }
                case 0x87 -> { Object c = pop(), b = pop(), a = pop(); stack.add(new Tuple(Arrays.asList(a, b, c))); }
                case 't' -> stack.add(new Tuple(popMark()));
                case 'l' -> stack.add(new ArrayList<>(popMark()));
                case 'd' -> {
                    List<Object> kv = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putPairs(m, kv);
                    stack.add(m);
                }
                case 0x91 -> stack.add(new ArrayList<>(popMark())); // FROZENSET
                case 's' -> { Object v = pop(), k = pop(); asMap(top(), "SETITEM").put(hashable(k), v); }
                case 'u' -> { List<Object> kv = popMark(); putPairs(asMap(top(), "SETITEMS"), kv); }
                case 'a' -> { Object v = pop(); asList(top(), "APPEND").add(v); }
                case 'e', 0x90 -> { List<Object> items = popMark(); asList(top(), "APPENDS").addAll(items); } // APPENDS, ADDITEMS
                case 'q' -> memo.put((long) in.u8("BINPUT"), top());
                case 'r' -> memo.put(in.u32("LONG_BINPUT"), top());
                case 0x94 -> memo.put((long) memo.size(), top()); // MEMOIZE
                case 'p' -> memo.put(parseInt(line("PUT")).longValue(), top());
                case 'h' -> stack.add(memoGet(in.u8("BINGET")));
                case 'j' -> stack.add(memoGet(in.u32("LONG_BINGET")));
                case 'g' -> stack.add(memoGet(parseInt(line("GET")).longValue()));
                case '0' -> pop();
                case '1' -> popMark();
                case '2' -> stack.add(top());
                case 'c' -> { String module = line("GLOBAL"); String name = line("GLOBAL"); stack.add(global(module, name)); }
                case 0x93 -> {
                    Object name = pop(), module = pop();
                    if (!(module instanceof String m) || !(name instanceof String n)) throw bad("STACK_GLOBAL needs two strings");
                    stack.add(global(m, n));
                }
                case 'R' -> { Object args = pop(), fn = pop(); stack.add(call(fn, tuple(args, "REDUCE"))); }
                case 0x81 -> { Object args = pop(), cls = pop(); stack.add(call(cls, tuple(args, "NEWOBJ"))); }
                case 0x92 -> { pop(); Object args = pop(), cls = pop(); stack.add(call(cls, tuple(args, "NEWOBJ_EX"))); }
                case 'b' -> { // BUILD: a TorchScript object's attributes; other state (a state dict's _metadata) is not needed
                    Object state = pop();
                    if (top() instanceof ScriptObject o) {
                        if (!o.attributes.isEmpty() || o.state != null) throw bad("second BUILD of " + o);
                        if (state instanceof Map<?, ?> m) o.attributes.putAll(m);
                        else o.state = state;
                    }
                }
                case 'Q' -> stack.add(persistent(pop()));
                case 'P' -> stack.add(persistent(line("PERSID")));
                default -> throw bad(String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    /** How deeply containers may nest in an unpickled object (deeper: a malformed pickle, not a stack overflow). */
    static final int MAX_DEPTH = 512;

    /**
     * How many objects an unpickled value may expand to when every shared reference is followed (memo references
     * can make a small pickle a DAG of 2^64 paths): containers count 1, strings 1 per 64 characters.
     */
    static final long MAX_EXPANDED = 10_000_000L;

    /**
     * Checks what a pickle built before anyone walks it: no container holds itself (a cycle), containers nest at
     * most {@link #MAX_DEPTH} levels, and the value followed as a tree has at most {@link #MAX_EXPANDED} objects.
     * Iterative (an explicit stack), and each shared container is measured once (an identity map of
     * {height, expanded size}), so it takes time linear in the pickle.
     */
    private void checkStructure(Object root) {
        if (children(root) == null) return;
        final class Frame {
            final Object node;
            final java.util.Iterator<Object> it;
            long height, size = 1;
            Frame(Object node) { this.node = node; this.it = children(node); }
        }
        java.util.IdentityHashMap<Object, long[]> done = new java.util.IdentityHashMap<>();
        java.util.IdentityHashMap<Object, Boolean> onPath = new java.util.IdentityHashMap<>();
        java.util.ArrayDeque<Frame> path = new java.util.ArrayDeque<>();
        path.push(new Frame(root));
        onPath.put(root, Boolean.TRUE);
        while (!path.isEmpty()) {
            Frame f = path.peek();
            long[] childMeasure = null; // {height, size} of a finished child
            if (f.it.hasNext()) {
                Object c = f.it.next();
                if (children(c) == null) {
                    f.size += c instanceof String str ? 1 + str.length() / 64 : 1;
                } else if (onPath.containsKey(c)) {
                    throw bad("a " + typeName(c) + " contains itself (a reference cycle; a state dict has none)");
                } else if ((childMeasure = done.get(c)) == null) {
                    if (path.size() >= MAX_DEPTH) throw bad("objects nest more than " + MAX_DEPTH + " levels deep");
                    path.push(new Frame(c));
                    onPath.put(c, Boolean.TRUE);
                    continue;
                }
            } else {
                path.pop();
                onPath.remove(f.node);
                long[] m = {f.height, f.size};
                done.put(f.node, m);
                f = path.peek();
                if (f == null) return;
                childMeasure = m;
            }
            if (childMeasure != null) {
                if (path.size() + childMeasure[0] > MAX_DEPTH) throw bad("objects nest more than " + MAX_DEPTH + " levels deep");
                f.height = Math.max(f.height, childMeasure[0] + 1);
                f.size += childMeasure[1];
            }
            if (f.size > MAX_EXPANDED)
                throw bad("shared references expand to more than " + MAX_EXPANDED + " objects (a state dict has far fewer)");
        }
    }

    /** The values a container holds (a dict: keys and values), or null for a leaf. */
    private static java.util.Iterator<Object> children(Object o) {
        if (o instanceof Map<?, ?> m)
            return m.entrySet().stream().<Object>flatMap(e -> java.util.stream.Stream.of(e.getKey(), e.getValue())).iterator();
        if (o instanceof List<?> l) return new ArrayList<Object>(l).iterator();
        if (o instanceof Tuple t) return t.items().iterator();
        if (o instanceof TensorRef t) return java.util.Collections.singletonList(t.storage()).iterator();
        if (o instanceof Opaque op) return java.util.Collections.singletonList(op.args()).iterator();
        if (o instanceof ScriptObject so) {
            List<Object> c = new ArrayList<>();
            so.attributes.forEach((k, v) -> { c.add(k); c.add(v); });
            c.add(so.state);
            return c.iterator();
        }
        return null;
    }

    /**
     * {@code k} if Python could use it as a dict key (immutable: numbers, strings, bytes, None, globals, tensors,
     * objects, and tuples of these), else a malformed-pickle error: a list or dict key could hold itself and make
     * hashing never end.
     */
    private Object hashable(Object k) {
        if (!hashable(k, 0)) throw bad("a dict key is a " + typeName(k) + " (unhashable)");
        return k;
    }

    private static boolean hashable(Object k, int depth) {
        if (depth > 64) return false;
        if (k == null || k instanceof String || k instanceof Long || k instanceof BigInteger || k instanceof Double
                || k instanceof Boolean || k instanceof byte[] || k instanceof Global || k instanceof ScriptObject) return true;
        if (k instanceof Tuple t) {
            for (Object o : t.items()) if (!hashable(o, depth + 1)) return false;
            return true;
        }
        if (k instanceof TensorRef t) return hashable(t.storage(), depth + 1);
        if (k instanceof Opaque o) return hashable(o.args(), depth + 1);
        if (k instanceof Record) return true; // a persistent loader's storage record (TorchStateDict.StorageRef)
        return false;
    }

    /** A short description of an unpickled value for a message: at most a few levels and about 200 characters. */
    static String show(Object o) {
        StringBuilder b = new StringBuilder();
        show(o, b, 0);
        return org.synesthesia.util.SafeText.clean(b.toString(), org.synesthesia.util.SafeText.NAME_LIMIT);
    }

    private static void show(Object o, StringBuilder b, int depth) {
        if (b.length() > org.synesthesia.util.SafeText.NAME_LIMIT) return;
        if (depth > 4) { b.append("..."); return; }
        if (o instanceof String s) { b.append('\'').append(s, 0, Math.min(s.length(), org.synesthesia.util.SafeText.NAME_LIMIT)).append('\''); return; }
        Iterable<?> items = o instanceof Tuple t ? t.items() : o instanceof List<?> l ? l : o instanceof Map<?, ?> m ? m.keySet() : null;
        if (items == null) {
            if (o instanceof byte[] a) b.append("<").append(a.length).append(" bytes>");
            else if (o == null || o instanceof Number || o instanceof Boolean || o instanceof Global || o instanceof Opaque || o instanceof ScriptObject) b.append(o);
            else b.append('<').append(typeName(o)).append('>');
            return;
        }
        b.append(o instanceof Tuple ? "(" : o instanceof Map ? "{" : "[");
        boolean first = true;
        for (Object x : items) {
            if (!first) b.append(", ");
            first = false;
            if (b.length() > org.synesthesia.util.SafeText.NAME_LIMIT) { b.append("..."); break; }
            show(x, b, depth + 1);
        }
        b.append(o instanceof Tuple ? ")" : o instanceof Map ? "}" : "]");
    }

    private Object persistent(Object pid) {
        if (persistentLoad == null) throw bad("persistent id " + show(pid) + " outside a PyTorch checkpoint");
        return persistentLoad.apply(pid);
    }

    private Object memoGet(long i) {
        if (!memo.containsKey(i)) throw bad("memo entry " + i + " is not defined");
        return memo.get(i);
    }

    private Object global(String module, String name) {
        if (module.equals("__builtin__")) module = "builtins";
        String q = module + "." + name;
        if (!(script ? allowedInScript(q) : allowed(q)))
            throw SynesthesiaException.inFile(file, "refusing to load global " + q + ": only tensors and state dicts are allowed");
        return new Global(module, name);
    }

    private Tuple tuple(Object o, String op) {
        if (o instanceof Tuple t) return t;
        if (o instanceof List<?> l) return new Tuple(new ArrayList<>(l));
        throw bad(op + " arguments are not a tuple");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, String op) {
        if (o instanceof Map<?, ?> m) return (Map<Object, Object>) m;
        throw bad(op + " on a " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o, String op) {
        if (o instanceof ArrayList<?> l) return (List<Object>) l;
        throw bad(op + " on a " + typeName(o));
    }

    private static String typeName(Object o) {
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private void putPairs(Map<Object, Object> m, List<Object> kv) {
        if (kv.size() % 2 != 0) throw bad("odd number of dict items");
        for (int i = 0; i < kv.size(); i += 2) m.put(hashable(kv.get(i)), kv.get(i + 1));
    }

    private Object longBytes(byte[] le) {
        if (le.length == 0) return 0L;
        byte[] be = new byte[le.length];
        for (int i = 0; i < le.length; i++) be[i] = le[le.length - 1 - i];
        BigInteger v = new BigInteger(be);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private BigInteger parseInt(String s) {
        try {
            return new BigInteger(s.trim());
        } catch (NumberFormatException e) {
            throw bad("bad integer '" + s + "'");
        }
    }

    /** Applies an allowed callable (or constructs an inert class) to its arguments. */
    private Object call(Object fn, Tuple args) {
        if (!(fn instanceof Global g)) throw bad("call of a " + typeName(fn) + ", not a global");
        String q = g.qualified();
        List<Object> a = args.items();
        switch (q) {
            case "collections.OrderedDict" -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!a.isEmpty() && a.get(0) instanceof List<?> pairs)
                    for (Object p : pairs) {
                        if (!(p instanceof Tuple t) || t.size() != 2) throw bad("OrderedDict item is not a pair");
                        m.put(hashable(t.get(0)), t.get(1));
                    }
                return m;
            }
            case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor" -> {
                if (a.size() < 4) throw bad(q + " with " + a.size() + " arguments");
                return new TensorRef(a.get(0), integer(a.get(1), "storage offset"), longs(a.get(2), "size"), longs(a.get(3), "stride"));
            }
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
                if (a.isEmpty() || !(a.get(0) instanceof TensorRef)) throw bad(q + " of a non-tensor");
                return a.get(0);
            }
            case "torch._tensor._rebuild_from_type_v2" -> {
                // (func, new_type, args, state): the tensor func(*args), viewed as new_type
                if (a.size() < 3 || !(a.get(1) instanceof Global t) || !TENSOR_TYPES.contains(t.qualified()))
                    throw bad(q + " of an unsupported type");
                return call(a.get(0), tuple(a.get(2), q));
            }
            case "builtins.set", "builtins.frozenset" -> {
                List<Object> out = new ArrayList<>();
                if (!a.isEmpty() && a.get(0) instanceof List<?> l) out.addAll(l);
                else if (!a.isEmpty() && a.get(0) instanceof Tuple t) out.addAll(t.items());
                return out;
            }
            case "_codecs.encode" -> { // protocol-2 bytes: _codecs.encode(str, 'latin1')
                if (a.isEmpty() || !(a.get(0) instanceof String s)) throw bad("_codecs.encode of a non-string");
                String enc = a.size() > 1 && a.get(1) instanceof String e ? e : "utf-8";
                return s.getBytes(enc.equalsIgnoreCase("latin1") || enc.equalsIgnoreCase("latin-1") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            }
            case "torch.Size" -> {
                return a.isEmpty() ? new Tuple(List.of()) : tuple(a.get(0), q);
            }
            case "torch.jit._pickle.build_intlist", "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
                 "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_complexlist" -> {
                if (a.size() != 1 || !(a.get(0) instanceof List<?> l)) throw bad(q + " of a non-list");
                return new ArrayList<Object>(l);
            }
            case "torch.jit._pickle.restore_type_tag" -> { // (value, type string): the value
                if (a.isEmpty()) throw bad(q + " without a value");
                return a.get(0);
            }
            case "torch.device" -> {
                if (a.size() != 1 || !(a.get(0) instanceof String d)) throw bad(q + " of a non-string");
                return d;
            }
            case "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar" -> {
                Object v = numpyScalar(a);
                return v != null ? v : new Opaque(q, args);
            }
            default -> {
                if (INERT.contains(q)) return new Opaque(q, args);
                if (script && isScriptClass(q)) { // NEWOBJ with no arguments (an object), or an enum's REDUCE with its value
                    ScriptObject o = new ScriptObject(q);
                    if (!a.isEmpty()) o.state = args;
                    return o;
                }
                throw bad("cannot call " + q);
            }
        }
    }

    /** {@code scalar(dtype('i8'), b'...')} of a plain little-endian number: its value; else null (kept opaque). */
    private static Object numpyScalar(List<Object> a) {
        if (a.size() != 2 || !(a.get(0) instanceof Opaque d) || !(a.get(1) instanceof byte[] b)) return null;
        if (!(d.args() instanceof Tuple t) || t.size() < 1 || !(t.get(0) instanceof String code)) return null;
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return switch (code + ":" + b.length) {
            case "i8:8" -> bb.getLong();
            case "i4:4" -> (long) bb.getInt();
            case "u4:4" -> bb.getInt() & 0xffffffffL;
            case "f8:8" -> bb.getDouble();
            case "f4:4" -> (double) bb.getFloat();
            case "b1:1" -> b[0] != 0;
            default -> null;
        };
    }

    private long integer(Object o, String what) {
        if (o instanceof Long l) return l;
        throw bad(what + " is not an integer");
    }

    private long[] longs(Object o, String what) {
        List<Object> items;
        if (o instanceof Tuple t) items = t.items();
        else if (o instanceof List<?> l) items = new ArrayList<>(l);
        else throw bad(what + " is not a tuple");
        long[] r = new long[items.size()];
        for (int i = 0; i < r.length; i++) r[i] = integer(items.get(i), what);
        return r;
    }
}
