package org.synesthesia.fuzz;

/** One mutated file: what was done to which seed (enough to reproduce it with the case number) and its bytes. */
record Mutant(Seed seed, String mutation, byte[] bytes) {}
