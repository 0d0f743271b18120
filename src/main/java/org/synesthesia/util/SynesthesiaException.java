package org.synesthesia.util;

/**
 * An error a user can act on: its message is one line that names the file (or input) and the problem.
 * The command line prints {@code synesthesia: MESSAGE} and exits non-zero, with no stack trace.
 */
public class SynesthesiaException extends RuntimeException {
    public SynesthesiaException(String message) {
        super(message);
    }

    public SynesthesiaException(String message, Throwable cause) {
        super(message, cause);
    }

    /** {@code FILE: problem}, the form every reader uses. */
    public static SynesthesiaException inFile(Object file, String problem) {
        return new SynesthesiaException(file + ": " + problem);
    }
}
