package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.TorchScriptFixture.Tensor;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.util.SynesthesiaException;

/** TorchScript archives ({@code torch.jit.save}) read as data: the module tree's state dict, and what is refused. */
class TorchScriptTest {
    @TempDir Path tmp;

    private static Tensor f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return new Tensor(DType.F32, new long[] {v.length}, b.array());
    }

    private static Tensor f32(long rows, long cols, float start) {
        float[] v = new float[(int) (rows * cols)];
        for (int i = 0; i < v.length; i++) v[i] = start + i;
        Tensor t = f32(v);
        return new Tensor(DType.F32, new long[] {rows, cols}, t.data());
    }

    /**
     * A small model as openai's CLIP is built: parameters at the root and in nested modules, a Sequential's numbered
     * children, a MultiheadAttention with a None parameter, a buffer, a tensor attribute that is neither (attn_mask),
     * and ints/strings/flags.
     */
    static TorchScriptFixture model() {
        return new TorchScriptFixture("tiny", "__torch__.model.Tiny")
                .module("blocks", "__torch__.torch.nn.modules.container.Sequential")
                .module("blocks.0", "__torch__.model.Block").module("blocks.1", "__torch__.model.Block")
                .module("blocks.0.attn", "__torch__.torch.nn.modules.activation.MultiheadAttention")
                .module("blocks.1.attn", "__torch__.torch.nn.modules.activation.MultiheadAttention")
                .module("blocks.0.attn.out_proj", "__torch__.torch.nn.modules.linear.___torch_mangle_0._LinearWithBias")
                .module("blocks.1.attn.out_proj", "__torch__.torch.nn.modules.linear.___torch_mangle_0._LinearWithBias")
                .parameter("scale", f32(2.5f))
                .buffer("counter", new Tensor(DType.I64, new long[] {}, new byte[] {7, 0, 0, 0, 0, 0, 0, 0}))
                .attribute("name", "tiny").attribute("width", 4L)
                .parameter("blocks.0.attn.in_proj_weight", f32(6, 2, 0)).noneParameter("blocks.0.attn.q_proj_weight")
                .parameter("blocks.0.attn.in_proj_bias", f32(1, 2, 3, 4, 5, 6)).attribute("blocks.0.attn.num_heads", 1L)
                .parameter("blocks.0.attn.out_proj.weight", f32(2, 2, 10)).parameter("blocks.0.attn.out_proj.bias", f32(0.5f, -0.5f))
                .attribute("blocks.0.attn_mask", f32(2, 2, 100))
                .parameter("blocks.1.attn.in_proj_weight", f32(6, 2, 20)).noneParameter("blocks.1.attn.q_proj_weight")
                .parameter("blocks.1.attn.in_proj_bias", f32(6, 5, 4, 3, 2, 1)).attribute("blocks.1.attn.num_heads", 1L)
                .parameter("blocks.1.attn.out_proj.weight", f32(2, 2, 30)).parameter("blocks.1.attn.out_proj.bias", f32(1.5f, -1.5f))
                .attribute("blocks.1.attn_mask", f32(2, 2, 200))
                .parameter("head.weight", f32(3, 2, 40));
    }

    private static final List<String> STATE_DICT = List.of("scale", "counter",
            "blocks.0.attn.in_proj_weight", "blocks.0.attn.in_proj_bias", "blocks.0.attn.out_proj.weight", "blocks.0.attn.out_proj.bias",
            "blocks.1.attn.in_proj_weight", "blocks.1.attn.in_proj_bias", "blocks.1.attn.out_proj.weight", "blocks.1.attn.out_proj.bias",
            "head.weight");

    @Test
    void moduleTreeIsItsStateDict() {
        Path f = model().write(tmp.resolve("tiny.pt"), true);
        assertEquals(WeightSources.Format.TORCH_ZIP, WeightSources.detect(f));
        try (WeightSource s = WeightSources.open(f)) {
            assertEquals("torchscript", s.format());
            assertEquals(STATE_DICT, new ArrayList<>(s.names()));
            assertEquals("__torch__.model.Tiny", s.metadata().get(TorchZip.SCRIPT_CLASS));
            StoredTensor w = s.get("blocks.1.attn.in_proj_weight");
            assertEquals(DType.F32, w.dtype());
            assertArrayEquals(new long[] {6, 2}, w.shape());
            assertArrayEquals(new float[] {20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31}, w.toFloats());
            assertArrayEquals(new float[] {2.5f}, s.get("scale").toFloats());
            assertArrayEquals(new long[] {7}, s.get("counter").toLongs());
            assertArrayEquals(new float[] {1.5f, -1.5f}, s.get("blocks.1.attn.out_proj.bias").toFloats());
        }
    }

    /** Without code/ (no declarations to read) every tensor attribute is taken, attn_mask included. */
    @Test
    void withoutSourceEveryTensorAttributeIsTaken() {
        Path f = model().write(tmp.resolve("nocode.pt"), false);
        try (WeightSource s = WeightSources.open(f)) {
            assertEquals("torchscript", s.format());
            assertTrue(s.contains("blocks.0.attn_mask"));
            assertTrue(s.names().containsAll(STATE_DICT));
            assertEquals(STATE_DICT.size() + 2, s.names().size());
        }
    }

    @Test
    void declarationsAreReadAsText() {
        Map<String, TorchScriptModules.Declaration> d = TorchScriptModules.declarations("""
                class Conv2d(Module):
                  __parameters__ = ["weight", "bias", ]
                  __buffers__ = []
                  weight : Tensor
                  __annotations__["0"] = __torch__.x.Y
                  def forward(self: __torch__.torch.nn.modules.conv.Conv2d,
                    input: Tensor) -> Tensor:
                    return input
                class BatchNorm2d(Module):
                  __parameters__ = ["weight", 'bias', ]
                  __buffers__ = ["running_mean", "running_var",
                    "num_batches_tracked", ]
                class Point(object):
                  x : int
                """);
        assertEquals(new TorchScriptModules.Declaration(true, List.of("weight", "bias"), List.of()), d.get("Conv2d"));
        assertEquals(new TorchScriptModules.Declaration(true, List.of("weight", "bias"), List.of("running_mean", "running_var", "num_batches_tracked")), d.get("BatchNorm2d"));
        assertEquals(false, d.get("Point").module());
        assertEquals("code/__torch__/torch/nn/modules/conv/___torch_mangle_9.py",
                TorchScriptModules.sourcePath("__torch__.torch.nn.modules.conv.___torch_mangle_9.Conv2d"));
    }

    /** A script archive whose data.pkl names anything outside the allow-list is refused in one line, naming the global; nothing runs. */
    @Test
    void dangerousGlobalsAreRefused() throws IOException {
        String[][] globals = {{"__builtin__", "exec"}, {"builtins", "eval"}, {"os", "system"}, {"subprocess", "Popen"},
                {"torch.jit._pickle", "build_tensor_from_id"}, {"torch._utils", "_rebuild_qtensor"}, {"__torch__", "os.system"},
                {"__torchx__.model", "CLIP"}};
        for (String[] g : globals) {
            byte[] pkl = new PickleBytes().proto(2).global(g[0], g[1]).str("touch /tmp/pwned").op(0x85).reduce().stop().bytes();
            byte[] zip = new TestZip(false).add("evil/data.pkl", pkl, false)
                    .add("evil/code/__torch__/model.py", "class CLIP(Module):\n  __parameters__ = []\n".getBytes(StandardCharsets.UTF_8), false)
                    .add("evil/constants.pkl", new PickleBytes().proto(2).emptyTuple().stop().bytes(), false).finish();
            Path f = Files.write(tmp.resolve("evil.pt"), zip);
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WeightSources.open(f), g[0] + "." + g[1]);
            String expected = g[1].contains(".") ? "malformed pickle" : "refusing to load global " + (g[0].equals("__builtin__") ? "builtins" : g[0]) + "." + g[1];
            TorchCheckpointTest.assertOneLine(e, f, expected);
        }
    }

    /** A __torch__ class object given constructor arguments, or a module tree that contains itself, is refused in one line. */
    @Test
    void malformedModuleTreesAreOneLine() throws IOException {
        byte[] args = new PickleBytes().proto(2).global("__torch__.model", "CLIP").str("x").op(0x85).op(0x81).stop().bytes();
        Path a = Files.write(tmp.resolve("args.pt"), scriptZip(args));
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(a)), a, "constructed with arguments");
        // m = CLIP(); m.__dict__ = {"self": m}
        byte[] cyc = new PickleBytes().proto(2).global("__torch__.model", "CLIP").emptyTuple().op(0x81).put(0)
                .emptyDict().str("self").get(0).op('s').op('b').stop().bytes();
        Path c = Files.write(tmp.resolve("cycle.pt"), scriptZip(cyc));
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(c)), c, "contains itself");
        byte[] notModule = new PickleBytes().proto(2).emptyDict().stop().bytes();
        Path n = Files.write(tmp.resolve("dict.pt"), scriptZip(notModule));
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(n)), n, "not a module");
    }

    /** The same __torch__ class in a plain torch.save pickle (no code/, no constants.pkl) is not allowed. */
    @Test
    void scriptClassesOnlyInScriptArchives() throws IOException {
        byte[] pkl = new PickleBytes().proto(2).global("__torch__.model", "CLIP").emptyTuple().op(0x81).stop().bytes();
        Path f = Files.write(tmp.resolve("plain.pt"), new TestZip(false).add("plain/data.pkl", pkl, false).finish());
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(f)), f, "refusing to load global __torch__.model.CLIP");
    }

    @Test
    void truncatedArchiveIsOneLine() throws IOException {
        byte[] whole = model().bytes(true);
        for (int cut : new int[] {whole.length - 1, whole.length - 30, whole.length / 2, 100, 10}) {
            Path f = Files.write(tmp.resolve("cut" + cut + ".pt"), Arrays.copyOf(whole, cut));
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> WeightSources.open(f));
            TorchCheckpointTest.assertOneLine(e, f, "");
        }
        // a storage entry missing from the directory
        TorchScriptFixture m = model();
        byte[] zip = m.bytes(true);
        String s = new String(zip, StandardCharsets.ISO_8859_1).replace("tiny/data/3", "tiny/data/x");
        Path g = Files.write(tmp.resolve("nostorage.pt"), s.getBytes(StandardCharsets.ISO_8859_1));
        TorchCheckpointTest.assertOneLine(assertThrows(SynesthesiaException.class, () -> WeightSources.open(g)), g, "storage 3");
    }

    @Test
    void scriptObjectsAreInertRecords() {
        byte[] pkl = new PickleBytes().proto(2).global("__torch__.model", "CLIP").emptyTuple().op(0x81)
                .emptyDict().mark().str("training").bool(true).str("w").integer(3).setItems().op('b').stop().bytes();
        Object o = Unpickler.loadScript("x", java.lang.foreign.MemorySegment.ofArray(pkl), null);
        Unpickler.ScriptObject so = assertInstanceOf(Unpickler.ScriptObject.class, o);
        assertEquals("__torch__.model.CLIP", so.type());
        assertEquals(Map.of("training", true, "w", 3L), so.attributes());
    }

    private static byte[] scriptZip(byte[] pkl) {
        return new TestZip(false).add("m/data.pkl", pkl, false)
                .add("m/code/__torch__/model.py", "class CLIP(Module):\n  __parameters__ = []\n  __buffers__ = []\n".getBytes(StandardCharsets.UTF_8), false)
                .add("m/constants.pkl", new PickleBytes().proto(2).emptyTuple().stop().bytes(), false).finish();
    }
}
