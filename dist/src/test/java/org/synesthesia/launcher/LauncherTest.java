package org.synesthesia.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherTest {
    @TempDir Path tmp;

    @Test
    void readsTheFeatureVersionOfAJdkHome() throws Exception {
        Files.writeString(tmp.resolve("release"), "IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"25.0.3\"\n");
        assertEquals(25, Launcher.jdkVersion(tmp));
        Files.writeString(tmp.resolve("release"), "JAVA_VERSION=\"1.8.0_412\"\n");
        assertEquals(8, Launcher.jdkVersion(tmp));
        Files.writeString(tmp.resolve("release"), "JAVA_VERSION=\"17\"\n");
        assertEquals(17, Launcher.jdkVersion(tmp));
        assertEquals(0, Launcher.jdkVersion(tmp.resolve("missing")));
    }

    @Test
    void dropsOnlyTheIncubatorWarning() {
        assertEquals("hello\nworld\n", forward("WARNING: Using incubator modules: jdk.incubator.vector\nhello\nworld\n"));
        assertEquals("synesthesia: no such file\n", forward("synesthesia: no such file\n"));
        assertEquals("WARNING: Using incubator modules: something.else\n", forward("WARNING: Using incubator modules: something.else\n"));
        assertEquals("step 1/3\rstep 2/3", forward("step 1/3\rstep 2/3"));
        assertEquals("", forward(""));
    }

    private static String forward(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Launcher.forwardStderr(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), out);
        return out.toString(StandardCharsets.UTF_8);
    }
}
