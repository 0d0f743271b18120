package org.synesthesia.fuzz;

/**
 * One mutated file: what was done to which seed (enough to reproduce it with the case number) and its bytes;
 * {@code mustRefuse} when accepting it would be wrong whatever the reader does with it (a pickle naming a dangerous
 * global).
 */
record Mutant(Seed seed, String mutation, byte[] bytes, boolean mustRefuse) {
    Mutant(Seed seed, String mutation, byte[] bytes) {
        this(seed, mutation, bytes, false);
    }
}
