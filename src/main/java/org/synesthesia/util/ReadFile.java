package org.synesthesia.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/** Whole small files (configs, vocabularies, tables) read with the one-line errors every reader gives. */
public final class ReadFile {
    private ReadFile() {}

    /** The file's bytes; {@code FILE: no such file} or {@code FILE: cannot read: ...}. */
    public static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw SynesthesiaException.inFile(file, "no such file");
        } catch (IOException e) {
            throw SynesthesiaException.inFile(file, "cannot read: " + e.getMessage());
        }
    }

    /** The file as UTF-8 text; {@code FILE: not UTF-8 text} for malformed bytes. */
    public static String text(Path file) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes(file))).toString();
        } catch (CharacterCodingException e) {
            throw SynesthesiaException.inFile(file, "not UTF-8 text");
        }
    }

    /** The file as one JSON object; {@code FILE: <what>: <parse error>} when it is not one. */
    public static Map<String, Object> jsonObject(Path file, String what) {
        String text = text(file);
        try {
            return Json.parseObject(text);
        } catch (IllegalArgumentException e) {
            throw SynesthesiaException.inFile(file, what + ": " + e.getMessage());
        }
    }

    /**
     * A model's config file as one JSON object with at least one key: a config that is present must say something, so
     * {@code {}} is {@code FILE: empty config} rather than a silent fall back to defaults or to what weights suggest.
     */
    public static Map<String, Object> configObject(Path file, String what) {
        Map<String, Object> m = jsonObject(file, what);
        if (m.isEmpty()) throw SynesthesiaException.inFile(file, "empty config ({}); remove the file or give its keys");
        return m;
    }
}
