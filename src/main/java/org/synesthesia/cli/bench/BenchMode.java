package org.synesthesia.cli.bench;

import org.synesthesia.cli.Args;

/**
 * One mode of {@code synesthesia bench MODE} (e.g. {@code gemm}, {@code conv}, {@code attention},
 * {@code encoder}), found with {@link java.util.ServiceLoader} from
 * {@code META-INF/services/org.synesthesia.cli.bench.BenchMode}. Each prints one line per kernel or model ending in
 * its rate (GFLOPS, with its share of the machine's measured peak, see {@link Peak}).
 */
public interface BenchMode {
    String name();

    String summary();

    /** Options text for {@code bench MODE --help}. */
    String usage();

    int run(Args args) throws Exception;
}
