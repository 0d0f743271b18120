/**
 * The {@code synesthesia} command line: argument parsing, the commands (found through {@link java.util.ServiceLoader})
 * and their help texts; thin layers over the library.
 */
package org.synesthesia.cli;
