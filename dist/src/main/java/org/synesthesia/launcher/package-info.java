/**
 * The fat JAR's entry point, compiled for Java 17 so that it loads on older runtimes: it runs the command line
 * in-process on a JDK 25 with the vector module, else relaunches the JAR on a JDK 25 it finds with the engine's
 * flags, else prints one line saying what to install.
 */
package org.synesthesia.launcher;
