/**
 * Small helpers every layer may use: a JSON reader/writer, {@link org.synesthesia.util.SynesthesiaException}
 * (a one-line error naming the file and the problem), progress reporting and memory statistics. Depends on nothing
 * else in the project.
 */
package org.synesthesia.util;
