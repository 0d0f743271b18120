/** JMH benchmarks of the kernels and models; run {@code java -jar benchmarks/target/benchmarks.jar -h}. */
package org.synesthesia.bench;
