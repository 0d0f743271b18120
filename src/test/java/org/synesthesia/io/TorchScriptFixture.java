package org.synesthesia.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;

/**
 * Writes a TorchScript archive in {@code torch.jit.save}'s layout for tests, in Java (no PyTorch needed):
 * {@code ARCHIVE/data.pkl} (protocol 2: each module an object of a {@code __torch__} class made by
 * {@code GLOBAL; EMPTY_TUPLE; NEWOBJ} and given its attributes by {@code EMPTY_DICT; MARK; ...; SETITEMS; BUILD},
 * each tensor {@code _rebuild_tensor_v2} over a persistent id {@code ('storage', torch.HalfStorage, key, 'cpu', numel)}),
 * {@code ARCHIVE/data/KEY} per tensor, {@code ARCHIVE/code/__torch__/...py} with each class's
 * {@code __parameters__}/{@code __buffers__} lines and a forward method, {@code ARCHIVE/constants.pkl} (an empty
 * tuple) and {@code ARCHIVE/version}. Every module also gets a {@code training} flag, as TorchScript writes.
 */
public final class TorchScriptFixture {
    /** A tensor value: type, shape, little-endian bytes. */
    public record Tensor(DType dtype, long[] shape, byte[] data) {
        public static Tensor of(StoredTensor t) {
            return new Tensor(t.dtype(), t.shape().clone(), t.data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    private static final class Node {
        final String cls;
        final Map<String, Object> attributes = new LinkedHashMap<>();
        final List<String> parameters = new ArrayList<>(), buffers = new ArrayList<>();

        Node(String cls) {
            this.cls = cls;
            attributes.put("training", Boolean.FALSE);
        }
    }

    private final String archive;
    private final Node root;
    private final Map<String, String> classes = new LinkedHashMap<>();

    public TorchScriptFixture(String archive, String rootClass) {
        this.archive = archive;
        this.root = new Node(rootClass);
    }

    /** The class of the module at {@code path} (dotted attribute path), before anything is added under it. */
    public TorchScriptFixture module(String path, String qualifiedClass) {
        classes.put(path, qualifiedClass);
        return this;
    }

    public TorchScriptFixture parameter(String name, Tensor t) {
        return add(name, t, 'p');
    }

    /** A parameter registered as None (e.g. MultiheadAttention's {@code q_proj_weight}). */
    public TorchScriptFixture noneParameter(String name) {
        return add(name, null, 'p');
    }

    public TorchScriptFixture buffer(String name, Tensor t) {
        return add(name, t, 'b');
    }

    /** A plain attribute (a Tensor that is neither parameter nor buffer, a Boolean, Long, String or null). */
    public TorchScriptFixture attribute(String name, Object value) {
        return add(name, value, 'a');
    }

    private TorchScriptFixture add(String name, Object value, char kind) {
        int dot = name.lastIndexOf('.');
        Node m = node(dot < 0 ? "" : name.substring(0, dot));
        String attr = name.substring(dot + 1);
        if (m.attributes.containsKey(attr)) throw new IllegalArgumentException("twice: " + name);
        m.attributes.put(attr, value);
        if (kind == 'p') m.parameters.add(attr);
        if (kind == 'b') m.buffers.add(attr);
        return this;
    }

    private Node node(String path) {
        if (path.isEmpty()) return root;
        int dot = path.lastIndexOf('.');
        Node parent = node(dot < 0 ? "" : path.substring(0, dot));
        String attr = path.substring(dot + 1);
        Object o = parent.attributes.get(attr);
        if (o instanceof Node n) return n;
        if (o != null) throw new IllegalArgumentException(path + " is not a module");
        Node n = new Node(classes.getOrDefault(path, "__torch__.fixture.M_" + path.replace('.', '_')));
        parent.attributes.put(attr, n);
        return n;
    }

    /** The zip bytes; {@code withCode}: include {@code code/} (else only data.pkl, data/ and constants.pkl). */
    public byte[] bytes(boolean withCode) {
        List<Tensor> storages = new ArrayList<>();
        PickleBytes p = new PickleBytes().proto(2);
        pickle(p, root, storages);
        p.stop();
        TestZip zip = new TestZip(false);
        zip.add(archive + "/data.pkl", p.bytes(), false);
        if (withCode) {
            Map<String, StringBuilder> files = new LinkedHashMap<>();
            Set<String> done = new LinkedHashSet<>();
            source(root, files, done);
            for (Map.Entry<String, StringBuilder> f : files.entrySet())
                zip.add(archive + "/code/" + f.getKey().replace('.', '/') + ".py", f.getValue().toString().getBytes(StandardCharsets.UTF_8), true);
        }
        for (int i = 0; i < storages.size(); i++) zip.add(archive + "/data/" + i, storages.get(i).data(), false);
        zip.add(archive + "/constants.pkl", new PickleBytes().proto(2).emptyTuple().stop().bytes(), false);
        zip.add(archive + "/version", "3\n".getBytes(StandardCharsets.US_ASCII), false);
        return zip.finish();
    }

    public Path write(Path file, boolean withCode) {
        try {
            Files.write(file, bytes(withCode));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static void pickle(PickleBytes p, Object v, List<Tensor> storages) {
        switch (v) {
            case null -> p.none();
            case Boolean b -> p.bool(b);
            case Long l -> p.integer(l);
            case String s -> p.str(s);
            case Tensor t -> {
                long n = 1;
                for (long d : t.shape()) n *= d;
                long[] stride = new long[t.shape().length];
                long s = 1;
                for (int i = stride.length - 1; i >= 0; i--) { stride[i] = s; s *= t.shape()[i]; }
                p.tensor(storageType(t.dtype()), String.valueOf(storages.size()), n, 0, t.shape(), stride);
                storages.add(t);
            }
            case Node m -> {
                int dot = m.cls.lastIndexOf('.');
                p.global(m.cls.substring(0, dot), m.cls.substring(dot + 1)).emptyTuple().op(0x81); // NEWOBJ
                p.emptyDict().mark();
                for (Map.Entry<String, Object> e : m.attributes.entrySet()) {
                    p.str(e.getKey());
                    pickle(p, e.getValue(), storages);
                }
                p.setItems().op('b'); // BUILD
            }
            default -> throw new IllegalArgumentException("cannot pickle " + v.getClass());
        }
    }

    private static String storageType(DType d) {
        return switch (d) {
            case F32 -> "FloatStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case F64 -> "DoubleStorage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            default -> throw new IllegalArgumentException(d.toString());
        };
    }

    /** Each class once, in its module's file: the parameter and buffer lists and the attribute annotations. */
    private static void source(Node m, Map<String, StringBuilder> files, Set<String> done) {
        if (done.add(m.cls)) {
            int dot = m.cls.lastIndexOf('.');
            StringBuilder b = files.computeIfAbsent(m.cls.substring(0, dot), k -> new StringBuilder());
            b.append("class ").append(m.cls.substring(dot + 1)).append("(Module):\n");
            b.append("  __parameters__ = [").append(quoted(m.parameters)).append("]\n");
            b.append("  __buffers__ = [").append(quoted(m.buffers)).append("]\n");
            for (Map.Entry<String, Object> e : m.attributes.entrySet()) {
                String type = switch (e.getValue()) {
                    case null -> "NoneType";
                    case Boolean x -> "bool";
                    case Long x -> "int";
                    case String x -> "str";
                    case Tensor x -> "Tensor";
                    case Node n -> n.cls;
                    default -> "Any";
                };
                if (e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) b.append("  ").append(e.getKey()).append(" : ").append(type).append('\n');
                else b.append("  __annotations__[\"").append(e.getKey()).append("\"] = ").append(type).append('\n');
            }
            b.append("  def forward(self: ").append(m.cls).append(") -> Tensor:\n    return torch.zeros([1])\n");
        }
        for (Object v : m.attributes.values()) if (v instanceof Node n) source(n, files, done);
    }

    private static String quoted(List<String> names) {
        StringBuilder b = new StringBuilder();
        for (String n : names) b.append('"').append(n).append("\", ");
        return b.toString();
    }
}
