/**
 * Jobs that chain model families (speech to prompt to image) as library calls, below the command line.
 */
package org.synesthesia.pipeline;
