package org.synesthesia.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.synesthesia.util.SynesthesiaException;

/**
 * PyTorch's zip checkpoints ({@code torch.save} since 1.6; {@code .pt}, {@code .pth}, {@code .ckpt}, {@code .bin}):
 * a zip holding {@code ARCHIVE/data.pkl} (the pickled object, tensors as persistent ids
 * {@code ('storage', torch.HalfStorage, KEY, location, numel)}), one entry {@code ARCHIVE/data/KEY} of raw
 * little-endian bytes per storage (stored uncompressed and 64-byte aligned, so tensors are views of the mapping)
 * and an optional {@code ARCHIVE/byteorder}. See {@link TorchStateDict} for how tensors are named.
 *
 * <p>TorchScript archives ({@code torch.jit.save}; openai's CLIP {@code .pt} files) have the same layout plus
 * {@code ARCHIVE/code/} (the modules' printed source) and {@code ARCHIVE/constants.pkl}; their {@code data.pkl} is
 * the module tree, read as data ({@link Unpickler#loadScript}) and flattened to what {@code model.state_dict()} gives
 * ({@link TorchScriptModules}); the root module's class is metadata {@link #SCRIPT_CLASS}. Nothing in
 * {@code code/} or {@code constants.pkl} is run or unpickled.
 */
public final class TorchZip extends TorchSource {
    private final boolean script;

    private TorchZip(MappedFile file, Arena scratch, TorchStateDict.Result r) {
        super(file, scratch, r);
        this.script = r.metadata().containsKey(SCRIPT_CLASS);
    }

    /** Metadata key of a TorchScript archive's root module class, e.g. {@code __torch__.model.CLIP}. */
    public static final String SCRIPT_CLASS = "torchscript.class";

    public static TorchZip open(Path path) {
        return TorchSource.open(path, TorchZip::parse, TorchZip::new);
    }

    private static TorchStateDict.Result parse(MappedFile f, Arena scratch) {
        Path path = f.path();
        ZipDirectory zip = ZipDirectory.read(f);
        ZipDirectory.Entry pkl = null;
        for (ZipDirectory.Entry e : zip.entries().values())
            if (e.name().equals("data.pkl") || e.name().endsWith("/data.pkl")) { pkl = e; break; }
        if (pkl == null) throw SynesthesiaException.inFile(path, "a zip without data.pkl, not a PyTorch checkpoint");
        String prefix = pkl.name().substring(0, pkl.name().length() - "data.pkl".length());
        ZipDirectory.Entry order = zip.entries().get(prefix + "byteorder");
        if (order != null) {
            String bo = new String(zip.data(order, scratch).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).trim();
            if (!bo.equals("little")) throw SynesthesiaException.inFile(path, "byte order '" + bo + "' is not supported (only little-endian checkpoints)");
        }
        Map<String, TorchStateDict.StorageRef> seen = new HashMap<>();
        boolean script = zip.entries().containsKey(prefix + "constants.pkl")
                || zip.entries().keySet().stream().anyMatch(n -> n.startsWith(prefix + "code/"));
        Object root;
        if (script) {
            Object module = Unpickler.loadScript(path, zip.data(pkl, scratch), TorchStateDict.persistentLoader(path, seen));
            Map<String, Map<String, TorchScriptModules.Declaration>> sources = new HashMap<>();
            Map<Object, Object> flat = new LinkedHashMap<>(TorchScriptModules.stateDict(path, module, cls -> {
                String file = prefix + TorchScriptModules.sourcePath(cls);
                Map<String, TorchScriptModules.Declaration> decls = sources.computeIfAbsent(file, k -> {
                    ZipDirectory.Entry e = zip.entries().get(k);
                    if (e == null) return Map.of();
                    return TorchScriptModules.declarations(new String(zip.data(e, scratch).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
                });
                return decls.get(cls.substring(cls.lastIndexOf('.') + 1));
            }));
            if (flat.isEmpty()) throw SynesthesiaException.inFile(path, "a TorchScript archive whose module " + module + " has no parameters or buffers");
            flat.put(SCRIPT_CLASS, ((Unpickler.ScriptObject) module).type());
            root = flat;
        } else {
            root = Unpickler.load(path, zip.data(pkl, scratch), TorchStateDict.persistentLoader(path, seen));
        }
        Map<String, MemorySegment> cache = new HashMap<>();
        return TorchStateDict.build(path, root, s -> cache.computeIfAbsent(s.key(), key -> {
            ZipDirectory.Entry e = zip.entries().get(prefix + "data/" + key);
            if (e == null) throw SynesthesiaException.inFile(path, "truncated or damaged: storage " + key + " (entry " + prefix + "data/" + key + ") is missing");
            return zip.data(e, scratch);
        }), scratch);
    }

    /** {@code torchscript} for a {@code torch.jit.save} archive, else {@code pytorch-zip}. */
    @Override public String format() { return script ? "torchscript" : "pytorch-zip"; }
}
