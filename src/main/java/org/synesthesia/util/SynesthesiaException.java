package org.synesthesia.util;

/**
 * An error a user can act on: its message is one line that names the file (or input) and the problem.
 * The command line prints {@code synesthesia: MESSAGE} and exits non-zero, with no stack trace.
 */
public class SynesthesiaException extends RuntimeException {
    /** The message is kept to one printable line: control characters escaped, cut after {@link SafeText#MESSAGE_LIMIT}. */
    public SynesthesiaException(String message) {
        super(SafeText.clean(message, SafeText.MESSAGE_LIMIT));
    }

    public SynesthesiaException(String message, Throwable cause) {
        super(SafeText.clean(message, SafeText.MESSAGE_LIMIT), cause);
    }

    /** {@code FILE: problem}, the form every reader uses. */
    public static SynesthesiaException inFile(Object file, String problem) {
        return new SynesthesiaException(file + ": " + problem);
    }
}
