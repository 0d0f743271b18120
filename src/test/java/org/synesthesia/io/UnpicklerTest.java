package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.util.SynesthesiaException;

class UnpicklerTest {
    private static Object load(byte[] b) {
        return Unpickler.load("t.pkl", b, null);
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Test
    void readsPlainValues() {
        // {'a': [1, -2, 300, 70000], 'b': (None, True, False), 'c': 1.5, 'd': b'xy', 'e': 2**70, 'f': -1 (LONG1), 'g': memo ref to 'a'}
        PickleBytes p = new PickleBytes().proto(2).emptyDict().put(0).mark();
        p.str("a").op(']').put(1).mark().integer(1).integer(-2).integer(300).integer(70000).op('e');
        p.str("b").none().bool(true).bool(false).op(0x87);
        p.str("c").op('G', 0x3f, 0xf8, 0, 0, 0, 0, 0, 0);
        p.str("d").op('C', 2, 'x', 'y');
        p.str("e").op(0x8a, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0x40);
        p.str("f").op(0x8a, 1, 0xff);
        p.str("g").get(1);
        p.setItems().stop();
        Map<?, ?> m = (Map<?, ?>) load(p.bytes());
        assertEquals(List.of(1L, -2L, 300L, 70000L), m.get("a"));
        assertEquals(new Unpickler.Tuple(Arrays.asList(null, true, false)), m.get("b"));
        assertEquals(1.5, m.get("c"));
        assertEquals("xy", new String((byte[]) m.get("d")));
        assertEquals(BigInteger.TWO.pow(70), m.get("e"));
        assertEquals(-1L, m.get("f"));
        assertTrue(m.get("g") == m.get("a"), "BINGET returns the memoized object");
        assertEquals(List.of("a", "b", "c", "d", "e", "f", "g"), new ArrayList<>(m.keySet()));
    }

    @Test
    void protocol4FramesAndStackGlobal() {
        // PROTO 4, FRAME, STACK_GLOBAL collections.OrderedDict, EMPTY_TUPLE, REDUCE, MEMOIZE, SETITEM
        PickleBytes p = new PickleBytes().proto(4).op(0x95, 30, 0, 0, 0, 0, 0, 0, 0);
        p.str("collections").op(0x94).str("OrderedDict").op(0x94).op(0x93).op(0x94).emptyTuple().reduce().op(0x94);
        p.str("k").op(0x94).integer(7).op('s').stop();
        Map<?, ?> m = (Map<?, ?>) load(p.bytes());
        assertEquals(Map.of("k", 7L), m);
    }

    @Test
    void refusesForbiddenGlobals() {
        // GLOBAL 'os system' ; the classic exploit: os.system('echo pwned')
        byte[] evil = new PickleBytes().proto(2).global("os", "system").str("echo pwned").op(0x85).reduce().stop().bytes();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> load(evil));
        assertEquals("t.pkl: refusing to load global os.system: only tensors and state dicts are allowed", e.getMessage());
        // the same through STACK_GLOBAL, and a builtin that is not data
        byte[] evil2 = new PickleBytes().proto(4).str("builtins").str("eval").op(0x93).stop().bytes();
        e = assertThrows(SynesthesiaException.class, () -> load(evil2));
        assertTrue(e.getMessage().contains("refusing to load global builtins.eval"), e.getMessage());
        byte[] evil3 = new PickleBytes().proto(2).global("__builtin__", "getattr").stop().bytes();
        e = assertThrows(SynesthesiaException.class, () -> load(evil3));
        assertTrue(e.getMessage().contains("builtins.getattr"), e.getMessage());
        byte[] evil4 = new PickleBytes().proto(2).global("torch", "load").stop().bytes();
        assertThrows(SynesthesiaException.class, () -> load(evil4));
        assertFalse(Unpickler.allowed("torch.serialization.load"));
        assertTrue(Unpickler.allowed("torch.HalfStorage"));
    }

    @Test
    void malformedInputIsOneLineError() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> load(bytes(0x80, 2, '}', 'X', 100, 0, 0, 0, 'a')));
        assertTrue(e.getMessage().startsWith("t.pkl: truncated"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> load(bytes(0x80, 2, 0x82, 1, '.')));
        assertTrue(e.getMessage().contains("unsupported pickle opcode 0x82"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> load(bytes(0x80, 2, 'h', 5, '.')));
        assertTrue(e.getMessage().contains("memo entry 5"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> load(bytes(0x80, 2, '.')));
        assertTrue(e.getMessage().contains("stack underflow"), e.getMessage());
        // persistent ids are only meaningful inside a torch checkpoint
        e = assertThrows(SynesthesiaException.class, () -> load(bytes(0x80, 2, 'N', 'Q', '.')));
        assertTrue(e.getMessage().contains("persistent id"), e.getMessage());
    }

    @Test
    void tensorRebuildFunctionsMakeTensorRefs() {
        byte[] b = new PickleBytes().proto(2).tensor("HalfStorage", "0", 12, 2, new long[] {2, 3}, new long[] {3, 1}).stop().bytes();
        Object o = Unpickler.load("t.pkl", b, pid -> pid);
        Unpickler.TensorRef t = (Unpickler.TensorRef) o;
        assertEquals(2, t.offset());
        assertEquals(List.of(2L, 3L), Arrays.stream(t.size()).boxed().toList());
        Unpickler.Tuple pid = (Unpickler.Tuple) t.storage();
        assertEquals("storage", pid.get(0));
        assertEquals(org.synesthesia.tensor.DType.F16, Unpickler.storageDType(pid.get(1)));
    }
}
