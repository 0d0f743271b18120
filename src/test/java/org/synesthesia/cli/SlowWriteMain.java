package org.synesthesia.cli;

import java.nio.file.Path;
import org.synesthesia.io.AtomicFiles;

/**
 * For {@link InterruptTest}, run in a child JVM: the command line's shutdown hook, then an output written through
 * {@link AtomicFiles} that stalls after 1 MiB ({@code writing} on stdout) until the process is signalled.
 */
public final class SlowWriteMain {
    private SlowWriteMain() {}

    public static void main(String[] args) throws Exception {
        Runtime.getRuntime().addShutdownHook(Main.interruptedHook());
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1 << 20]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        System.exit(0);
    }
}
