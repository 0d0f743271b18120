package org.synesthesia.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.synesthesia.io.Unpickler.Opaque;
import org.synesthesia.io.Unpickler.TensorRef;
import org.synesthesia.io.Unpickler.Tuple;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.Json;
import org.synesthesia.util.SafeText;
import org.synesthesia.util.SynesthesiaException;

/**
 * Turns an unpickled PyTorch checkpoint into named tensors and string metadata, shared by the zip and legacy
 * readers.
 *
 * <p>Naming: if the top-level dict (repeatedly) wraps the weights under one of {@link #WRAPPERS} (e.g.
 * {@code {"state_dict": ...}}, openai Whisper's {@code {"dims": ..., "model_state_dict": ...}}, HiFi-GAN's
 * {@code {"generator": ...}}), tensor names are taken relative to that dict; its siblings that hold no tensors
 * become metadata ({@code dims -> {"n_mels":80,...}}) and siblings that do hold tensors (optimizer state) are
 * left out. Otherwise every tensor in the object is named by its dotted path (list items by their index).
 * Non-tensor values within become metadata by their dotted path; dicts holding no tensor are written as JSON.
 */
final class TorchStateDict {
    private TorchStateDict() {}

    /** Keys a checkpoint wraps its state dict in, in order of preference. */
    static final List<String> WRAPPERS = List.of("state_dict", "model_state_dict", "model", "module", "generator", "net", "params");

    /** A storage a persistent id names: {@code ('storage', type, key, location, numel[, view])}. */
    record StorageRef(String key, DType dtype, long numel, String location, String viewOf, long viewOffset) {}

    record Result(Map<String, StoredTensor> tensors, Map<String, String> metadata) {}

    /** The persistent-id loader both torch formats share. */
    static Function<Object, Object> persistentLoader(Object file, Map<String, StorageRef> seen) {
        return pid -> {
            if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0)))
                throw SynesthesiaException.inFile(file, "unsupported persistent id " + Unpickler.show(pid) + " (expected a storage)");
            DType dtype = Unpickler.storageDType(t.get(1));
            if (dtype == null) throw SynesthesiaException.inFile(file, "unsupported storage type " + Unpickler.show(t.get(1)));
            if (!(t.get(2) instanceof String key)) throw SynesthesiaException.inFile(file, "storage key " + Unpickler.show(t.get(2)) + " is not a string");
            String location = t.get(3) instanceof String l ? l : Unpickler.show(t.get(3));
            if (!(t.get(4) instanceof Long numel) || numel < 0)
                throw SynesthesiaException.inFile(file, "storage " + SafeText.quote(key) + " has no element count");
            StorageRef root = new StorageRef(key, dtype, numel, location, null, 0);
            StorageRef prev = seen.putIfAbsent(key, root);
            if (prev != null && prev.dtype() != dtype)
                throw SynesthesiaException.inFile(file, "storage " + key + " is used as both " + prev.dtype() + " and " + dtype);
            // legacy view_metadata: (view_key, offset, view_size), elements of the root storage
            if (t.size() > 5 && t.get(5) instanceof Tuple v && v.size() == 3 && v.get(1) instanceof Long off && v.get(2) instanceof Long n)
                return new StorageRef(v.get(0) instanceof String vk ? vk : Unpickler.show(v.get(0)), dtype, n, location, key, off);
            return root;
        };
    }

    /**
     * Builds the tensors. {@code storageBytes} gives each root storage's bytes (at least {@code numel} elements);
     * non-contiguous tensors are copied into {@code scratch}.
     */
    static Result build(Object file, Object root, Function<StorageRef, MemorySegment> storageBytes, Arena scratch) {
        Map<String, StoredTensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        Map<Object, Boolean> reach = tensorReach(root);
        Object node = root;
        String metaPrefix = "";
        while (node instanceof Map<?, ?> m && !hasDirectTensor(m)) {
            Object wrapper = null;
            for (String w : WRAPPERS)
                if (m.get(w) instanceof Map<?, ?> inner && reaches(reach, inner)) { wrapper = w; break; }
            if (wrapper == null) break;
            for (Map.Entry<?, ?> e : m.entrySet())
                if (!e.getKey().equals(wrapper) && !reaches(reach, e.getValue())) meta.put(metaPrefix + key(e.getKey()), render(e.getValue()));
            node = m.get(wrapper);
            metaPrefix = metaPrefix + wrapper + ".";
        }
        walk(file, node, "", tensors, meta, storageBytes, scratch, reach);
        if (tensors.isEmpty()) throw SynesthesiaException.inFile(file, "holds no tensors (a pickle of " + describe(root) + ")");
        return new Result(Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(meta));
    }

    private static void walk(Object file, Object o, String name, Map<String, StoredTensor> tensors, Map<String, String> meta,
                             Function<StorageRef, MemorySegment> storageBytes, Arena scratch, Map<Object, Boolean> reach) {
        if (o instanceof TensorRef t) {
            String n = name.isEmpty() ? "tensor" : name;
            if (tensors.containsKey(n)) throw SynesthesiaException.inFile(file, "two tensors are named " + SafeText.quote(n));
            tensors.put(n, tensor(file, n, t, storageBytes, scratch));
        } else if ((o instanceof Map<?, ?> || o instanceof List<?> || o instanceof Tuple) && reaches(reach, o)) {
            if (o instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : m.entrySet()) walk(file, e.getValue(), join(name, key(e.getKey())), tensors, meta, storageBytes, scratch, reach);
            } else {
                List<?> items = o instanceof Tuple t ? t.items() : (List<?>) o;
                for (int i = 0; i < items.size(); i++) walk(file, items.get(i), join(name, String.valueOf(i)), tensors, meta, storageBytes, scratch, reach);
            }
        } else if (!name.isEmpty()) {
            meta.put(name, render(o));
        }
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "." + b;
    }

    private static String key(Object k) {
        return k instanceof Tuple t ? t.items().toString() : String.valueOf(k);
    }

    private static boolean hasDirectTensor(Map<?, ?> m) {
        for (Object v : m.values()) if (v instanceof TensorRef) return true;
        return false;
    }

    /** Whether a tensor is reachable from {@code o} through dicts, lists and tuples. */
    static boolean containsTensor(Object o) {
        return reaches(tensorReach(o), o);
    }

    private static boolean reaches(Map<Object, Boolean> reach, Object o) {
        return o instanceof TensorRef || Boolean.TRUE.equals(reach.get(o));
    }

    private static Collection<?> items(Object o) {
        return o instanceof Map<?, ?> m ? m.values() : o instanceof List<?> l ? l : o instanceof Tuple t ? t.items() : null;
    }

    /**
     * For every dict, list and tuple under {@code root}: whether a tensor is reachable from it. One iterative
     * post-order pass that visits each container once (an identity map), so shared references cost nothing extra and
     * neither a cycle (a container on the current path counts as holding no tensor) nor deep nesting can overflow the
     * stack; the walkers then look containers up instead of searching again.
     */
    static Map<Object, Boolean> tensorReach(Object root) {
        Map<Object, Boolean> reach = new java.util.IdentityHashMap<>();
        if (items(root) == null) return reach;
        java.util.ArrayDeque<Object> nodes = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<java.util.Iterator<?>> its = new java.util.ArrayDeque<>();
        java.util.ArrayDeque<boolean[]> found = new java.util.ArrayDeque<>();
        nodes.push(root);
        its.push(items(root).iterator());
        found.push(new boolean[1]);
        reach.put(root, Boolean.FALSE); // on the path: a cycle back to it adds nothing
        while (!nodes.isEmpty()) {
            java.util.Iterator<?> it = its.peek();
            boolean[] f = found.peek();
            if (it.hasNext()) {
                Object v = it.next();
                if (v instanceof TensorRef) f[0] = true;
                else if (reach.containsKey(v)) f[0] |= reach.get(v);
                else if (items(v) != null) {
                    reach.put(v, Boolean.FALSE);
                    nodes.push(v);
                    its.push(items(v).iterator());
                    found.push(new boolean[1]);
                }
            } else {
                Object done = nodes.pop();
                its.pop();
                found.pop();
                reach.put(done, f[0]);
                if (!found.isEmpty()) found.peek()[0] |= f[0];
            }
        }
        return reach;
    }

    /** A metadata value: strings as they are, anything else as JSON. */
    static String render(Object o) {
        Object p = plain(o);
        return p instanceof String s ? s : Json.write(p);
    }

    private static Object plain(Object o) {
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> r = new LinkedHashMap<>();
            m.forEach((k, v) -> r.put(key(k), plain(v)));
            return r;
        }
        if (o instanceof Tuple t) return plain(t.items());
        if (o instanceof List<?> l) {
            List<Object> r = new ArrayList<>();
            for (Object v : l) r.add(plain(v));
            return r;
        }
        if (o instanceof byte[] b) return "<" + b.length + " bytes>";
        if (o instanceof BigInteger b) return b.toString();
        if (o instanceof Double d && !Double.isFinite(d)) return d.toString();
        if (o == null || o instanceof String || o instanceof Number || o instanceof Boolean) return o;
        return String.valueOf(o); // Opaque, Global
    }

    private static String describe(Object o) {
        if (o instanceof Map<?, ?> m) return "a dict with keys " + abbreviate(m.keySet().toString());
        if (o instanceof Opaque op) return op.toString();
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }

    private static StoredTensor tensor(Object file, String name, TensorRef t, Function<StorageRef, MemorySegment> storageBytes, Arena scratch) {
        String q = SafeText.quote(name);
        if (!(t.storage() instanceof StorageRef s)) throw SynesthesiaException.inFile(file, "tensor " + q + " has no storage");
        long[] size = t.size(), stride = t.stride();
        if (size.length != stride.length) throw TensorSizes.damaged(file, q, "has size and stride of different rank");
        DType dt = s.dtype();
        long el = dt.blockBytes;
        // n = prod(size); reach = 1 + sum((size[i]-1) * stride[i]) elements spanned from the offset (0 when n = 0);
        // first = (view offset + storage offset) * element bytes: all checked against overflow and the storage
        long n, reach = 0, first, end;
        long storageOffset = s.viewOf() == null ? 0 : s.viewOffset();
        String sk = SafeText.quote(s.key());
        try {
            for (int i = 0; i < size.length; i++)
                if (size[i] < 0 || stride[i] < 0) throw TensorSizes.damaged(file, q, "has a negative size or stride");
            n = TensorSizes.elements(file, q, size);
            for (int i = 0; i < size.length; i++)
                if (size[i] > 0) reach = Math.addExact(reach, Math.multiplyExact(size[i] - 1, stride[i]));
            reach = n > 0 ? Math.addExact(reach, 1) : 0;
            if (t.offset() < 0 || storageOffset < 0 || Math.addExact(t.offset(), reach) > s.numel())
                throw TensorSizes.damaged(file, q, Arrays.toString(size) + " at offset " + t.offset() + " runs past its storage " + sk
                        + " of " + s.numel() + " elements");
            first = Math.multiplyExact(Math.addExact(storageOffset, t.offset()), el);
            end = Math.addExact(first, Math.multiplyExact(reach, el));
            TensorSizes.bytesFor(file, q, dt, n, size);
        } catch (ArithmeticException e) {
            throw TensorSizes.damaged(file, q, "of " + dt + " size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
                    + " at offset " + t.offset() + " spans more than 2^63-1 bytes");
        }
        MemorySegment store = storageBytes.apply(s.viewOf() == null ? s : new StorageRef(s.viewOf(), dt, -1, s.location(), null, 0));
        if (end > store.byteSize())
            throw SynesthesiaException.inFile(file, "truncated: storage " + sk + " of tensor " + q + " has " + store.byteSize()
                    + " bytes, needs " + end);
        if (contiguous(size, stride)) return new StoredTensor(name, dt, size, store.asSlice(first, n * el), file.toString());
        // a strided view (rare in saved state dicts): gather a contiguous copy off-heap
        MemorySegment out = scratch.allocate(Math.max(1, n * el), 8).asSlice(0, n * el);
        long[] idx = new long[size.length];
        for (long k = 0; k < n; k++) {
            long src = 0;
            for (int d = 0; d < size.length; d++) src += idx[d] * stride[d];
            MemorySegment.copy(store, first + src * el, out, k * el, el);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++idx[d] < size[d]) break;
                idx[d] = 0;
            }
        }
        return new StoredTensor(name, dt, size, out, file.toString());
    }

    /** Row-major strides (dimensions of size 1 may have any stride). */
    static boolean contiguous(long[] size, long[] stride) {
        long expect = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expect) return false;
            expect *= size[i];
        }
        return true;
    }
}
