package org.synesthesia.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class SharedDataTest {
    @Test
    void missingSharedDataSkipsOrFailsUnderCi() {
        String saved = System.getProperty("synesthesia.shared");
        System.setProperty("synesthesia.shared", "/nonexistent/shared-for-test");
        try {
            Throwable t = assertThrows(Throwable.class, () -> SharedData.golden("whisper_mel", "whisper_mel.json"));
            if (SharedData.underCi()) assertTrue(t instanceof AssertionError && t.getMessage().contains("CI=true"), t.toString());
            else assertTrue(t instanceof TestAbortedException && t.getMessage().contains("/nonexistent/shared-for-test"), t.toString());
        } finally {
            if (saved == null) System.clearProperty("synesthesia.shared");
            else System.setProperty("synesthesia.shared", saved);
        }
    }

    @Test
    void defaultLocationIsTheSharedFolderBesideTheProject() {
        assertTrue(Files.isDirectory(SharedData.require("golden")));
    }
}
