/**
 * The diffusers noise schedulers (DDIM, PNDM, Euler, Euler ancestral, DPM-Solver++ multistep) over one
 * beta schedule and timestep spacing, reproducing diffusers' step arithmetic.
 */
package org.synesthesia.diffusion.scheduler;
