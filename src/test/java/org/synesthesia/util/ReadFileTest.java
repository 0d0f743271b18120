package org.synesthesia.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadFileTest {
    @TempDir Path dir;

    @Test
    void readsJsonObjects() throws Exception {
        Path f = Files.writeString(dir.resolve("c.json"), "{\"a\": 1, \"b\": \"x\"}");
        assertEquals(Map.of("a", 1L, "b", "x"), ReadFile.jsonObject(f, "not a config"));
    }

    @Test
    void badFilesGiveOneLineNamingTheFile() throws Exception {
        Path missing = dir.resolve("none.json");
        assertEquals(missing + ": no such file", assertThrows(SynesthesiaException.class, () -> ReadFile.text(missing)).getMessage());
        Path bin = Files.write(dir.resolve("bin.json"), new byte[] {'{', (byte) 0xff, '}'});
        assertEquals(bin + ": not UTF-8 text", assertThrows(SynesthesiaException.class, () -> ReadFile.jsonObject(bin, "x")).getMessage());
        Path list = Files.writeString(dir.resolve("list.json"), "[1, 2]");
        String m = assertThrows(SynesthesiaException.class, () -> ReadFile.jsonObject(list, "not a config")).getMessage();
        assertEquals(list + ": not a config: ", m.substring(0, (list + ": not a config: ").length()));
    }

    @Test
    void writesCompactAndPythonStyles() {
        // json.dumps({"a": [1, 2.0, 1e-05], "b": "\u00e9\b", "c": None})
        assertEquals("{\"a\": [1, 2.0, 1e-05], \"b\": \"\\u00e9\\b\", \"c\": null}", Json.writePython(ordered()));
        assertEquals("{\"a\":[1,2,1.0E-5],\"b\":\"\u00e9\\u0008\",\"c\":null}", Json.write(ordered()));
    }

    private static Map<String, Object> ordered() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("a", java.util.List.of(1, 2.0, 1e-5));
        m.put("b", "\u00e9\b");
        m.put("c", null);
        return m;
    }
}
