package org.synesthesia.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.nn.Traceable;
import org.synesthesia.nn.ModelFamily;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/** {@code trace MODEL --inputs in.safetensors --capture PATTERN... --out taps.safetensors}. */
public final class TraceCommand implements Command {
    @Override public String name() { return "trace"; }

    @Override public String summary() { return "run a model on tensors from a file and save the outputs of modules you name"; }

    @Override public String usage() {
        return """
                usage: synesthesia trace MODEL --inputs IN.safetensors [--capture PATTERN]... [--part NAME] --out TAPS.safetensors

                Runs MODEL (a checkpoint file or folder) on the tensors in IN, named as the reference forward's
                arguments, and writes the outputs of every module whose reference name matches a PATTERN, plus the
                whole model's result as 'output'. Patterns are globs over dotted names: '*' stays within one segment
                ('encoder.blocks.*'), '**' matches anything ('decoder.**').
                  --part NAME   which part of a multi-part checkpoint to run (e.g. encoder, decoder, unet, vae)
                """;
    }

    @Override
    public int run(Args args) throws Exception {
        Path model = Path.of(args.positional(0, "MODEL"));
        Path in = Path.of(args.require("inputs"));
        Path out = Path.of(args.require("out"));
        List<String> patterns = args.all("capture");
        String part = args.get("part", null);
        args.finish();
        Map<String, Tensor> inputs = SafeTensors.readAll(in);
        try (Traceable t = open(model, part, inputs.keySet())) {
            for (String name : t.inputNames())
                if (!inputs.containsKey(name) && t.inputNames().indexOf(name) == 0)
                    throw new SynesthesiaException(in + ": no input tensor '" + name + "' (" + t.description() + " takes " + t.inputNames() + ")");
            Tracer tracer = Tracer.of(patterns);
            long start = System.nanoTime();
            Tensor y = t.forward(inputs, tracer);
            Map<String, Tensor> taps = new LinkedHashMap<>(tracer.captured());
            taps.put("output", y);
            SafeTensors.write(out, taps, Map.of("model", model.toString(), "description", t.description()));
            Progress.info(String.format(java.util.Locale.ROOT, "trace: %s in %.2f s, %d tensors written to %s",
                    t.description(), (System.nanoTime() - start) / 1e9, taps.size(), out));
        }
        return 0;
    }

    static Traceable open(Path model, String part, java.util.Set<String> inputNames) {
        if (!java.nio.file.Files.exists(model)) throw SynesthesiaException.inFile(model, "no such file or folder");
        for (ModelFamily f : ModelFamily.all()) {
            Optional<Traceable> t = f.traceable(model, part, inputNames);
            if (t.isPresent()) return t.get();
        }
        throw SynesthesiaException.inFile(model, "not a model that trace knows (Whisper, CLIP text, CLIP vision, UNet, VAE, HiFi-GAN, CLAP text)");
    }
}
