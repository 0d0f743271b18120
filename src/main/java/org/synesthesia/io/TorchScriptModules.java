package org.synesthesia.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.io.Unpickler.ScriptObject;
import org.synesthesia.io.Unpickler.TensorRef;
import org.synesthesia.util.SynesthesiaException;

/**
 * The state dict of a TorchScript module tree ({@code torch.jit.save}), read as data: {@code data.pkl} unpickles to
 * {@link ScriptObject} records (class name, attribute name -> value) and this walks them as
 * {@code module.state_dict()} would, naming each parameter and buffer by its attribute path
 * ({@code visual.transformer.resblocks.0.attn.in_proj_weight}): a module's parameters, then its buffers, then each
 * submodule's entries in attribute order. A parameter set to None is left out, as in PyTorch.
 *
 * <p>Which tensor attributes are parameters or buffers is recorded only in the archive's printed class source
 * ({@code code/__torch__/model.py}: {@code class CLIP(Module):} followed by {@code __parameters__ = ["a", ]} and
 * {@code __buffers__ = [...]}); {@link #declarations} reads those two list literals as text and nothing else (no
 * code is compiled or run). Tensor attributes that are neither (openai CLIP's {@code attn_mask}) are left out.
 * Where an archive has no source for a class, every tensor attribute of its objects is taken.
 */
final class TorchScriptModules {
    private TorchScriptModules() {}

    /** Deeper module trees than this are refused (a pickle can nest objects without bound). */
    static final int MAX_DEPTH = 256;

    /**
     * What a class's printed source declares.
     *
     * @param module     whether it is a {@code Module} (other TorchScript classes hold no state-dict entries)
     * @param parameters attribute names of its parameters, in order
     * @param buffers    attribute names of its buffers, in order
     */
    record Declaration(boolean module, List<String> parameters, List<String> buffers) {}

    private static final Pattern CLASS = Pattern.compile("class\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*\\(\\s*([A-Za-z_][A-Za-z0-9_.]*)?\\s*\\)\\s*:.*");
    private static final Pattern LIST = Pattern.compile("\\s+(__parameters__|__buffers__)\\s*=\\s*\\[(.*)");
    private static final Pattern QUOTED = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|'((?:[^'\\\\]|\\\\.)*)'");

    /** The archive path of the source of class {@code qualified}: {@code __torch__.a.b.C} lives in {@code code/__torch__/a/b.py}. */
    static String sourcePath(String qualified) {
        int dot = qualified.lastIndexOf('.');
        return "code/" + qualified.substring(0, dot).replace('.', '/') + ".py";
    }

    /** The class declarations in one printed source file, by simple class name. */
    static Map<String, Declaration> declarations(String source) {
        Map<String, Declaration> out = new LinkedHashMap<>();
        String[] lines = source.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            Matcher c = CLASS.matcher(lines[i]);
            if (!c.matches()) continue;
            String base = c.group(2) == null ? "" : c.group(2);
            List<String> params = new ArrayList<>(), buffers = new ArrayList<>();
            int j = i + 1;
            for (; j < lines.length && (lines[j].isEmpty() || Character.isWhitespace(lines[j].charAt(0))); j++) {
                Matcher l = LIST.matcher(lines[j]);
                if (!l.matches()) continue;
                StringBuilder items = new StringBuilder(l.group(2));
                while (items.indexOf("]") < 0 && j + 1 < lines.length) items.append(' ').append(lines[++j]);
                String body = items.indexOf("]") < 0 ? items.toString() : items.substring(0, items.indexOf("]"));
                Matcher q = QUOTED.matcher(body);
                List<String> target = l.group(1).equals("__parameters__") ? params : buffers;
                while (q.find()) target.add(q.group(1) != null ? q.group(1) : q.group(2));
            }
            out.put(c.group(1), new Declaration(base.equals("Module") || base.endsWith(".Module"), List.copyOf(params), List.copyOf(buffers)));
            i = j - 1;
        }
        return out;
    }

    /**
     * Parameter and buffer name -> tensor of the module tree under {@code root}, in {@code state_dict()} order.
     * {@code declaration} gives a class's declaration, or null where the archive has no source for it.
     */
    static Map<String, TensorRef> stateDict(Object file, Object root, Function<String, Declaration> declaration) {
        if (!(root instanceof ScriptObject m))
            throw SynesthesiaException.inFile(file, "a TorchScript archive whose data.pkl holds " + describe(root) + ", not a module");
        Declaration d = declaration.apply(m.type());
        if (d != null && !d.module()) throw SynesthesiaException.inFile(file, "a TorchScript archive whose data.pkl holds an object of " + m.type() + ", not a module");
        Map<String, TensorRef> out = new LinkedHashMap<>();
        walk(file, m, "", declaration, out, Collections.newSetFromMap(new IdentityHashMap<>()), 0);
        return out;
    }

    private static void walk(Object file, ScriptObject m, String prefix, Function<String, Declaration> declaration,
                             Map<String, TensorRef> out, Set<ScriptObject> path, int depth) {
        if (depth > MAX_DEPTH) throw SynesthesiaException.inFile(file, "TorchScript module tree deeper than " + MAX_DEPTH + " at " + prefix);
        if (!path.add(m)) throw SynesthesiaException.inFile(file, "TorchScript module " + m.type() + " contains itself (at " + prefix + ")");
        Declaration d = declaration.apply(m.type());
        if (d == null) {
            for (Map.Entry<Object, Object> e : m.attributes().entrySet())
                if (e.getValue() instanceof TensorRef t) put(file, out, prefix + name(file, m, e.getKey()), t);
        } else {
            for (List<String> names : List.of(d.parameters(), d.buffers()))
                for (String n : names)
                    if (m.attributes().get(n) instanceof TensorRef t) put(file, out, prefix + n, t);
        }
        for (Map.Entry<Object, Object> e : m.attributes().entrySet()) {
            if (!(e.getValue() instanceof ScriptObject sub)) continue;
            Declaration sd = declaration.apply(sub.type());
            if (sd != null && !sd.module()) continue;
            walk(file, sub, prefix + name(file, m, e.getKey()) + ".", declaration, out, path, depth + 1);
        }
        path.remove(m);
    }

    private static String name(Object file, ScriptObject m, Object key) {
        if (key instanceof String s) return s;
        throw SynesthesiaException.inFile(file, "TorchScript object " + m.type() + " has an attribute named by a " + describe(key));
    }

    private static void put(Object file, Map<String, TensorRef> out, String name, TensorRef t) {
        if (out.putIfAbsent(name, t) != null) throw SynesthesiaException.inFile(file, "two tensors are named " + name);
    }

    private static String describe(Object o) {
        return o == null ? "None" : o instanceof ScriptObject s ? "an object of " + s.type() : "a " + o.getClass().getSimpleName();
    }
}
