package org.synesthesia.pipeline;

import java.util.regex.Pattern;

/**
 * A Whisper transcript -> a Stable Diffusion prompt: drops the non-speech annotations Whisper writes
 * ({@code [BLANK_AUDIO]}, {@code (background music)}, {@code *laughs*}, {@code ♪ la la ♪}), innermost brackets
 * first so nested ones go too, then any unpaired bracket, asterisk or note sign; collapses whitespace and trims.
 * A result with no letter or digit left is empty (nothing speakable).
 */
public final class PromptCleaner {
    /** An innermost (...), [...] or {...}: no bracket of any kind inside. */
    private static final Pattern INNER = Pattern.compile("\\([^()\\[\\]{}]*\\)|\\[[^()\\[\\]{}]*\\]|\\{[^()\\[\\]{}]*\\}");
    private static final Pattern STARRED = Pattern.compile("\\*[^*]*\\*");
    private static final Pattern MUSIC = Pattern.compile("[♪♫♬][^♪♫♬]*[♪♫♬]");
    private static final Pattern STRAY = Pattern.compile("[()\\[\\]{}*♪♫♬]");
    private static final Pattern SPACE = Pattern.compile("\\s+");
    private static final Pattern SPACE_BEFORE_PUNCT = Pattern.compile(" +([,.!?;:])");

    private PromptCleaner() {}

    /** The speakable text of {@code transcript}, or "" when nothing speakable is left. */
    public static String clean(String transcript) {
        if (transcript == null) return "";
        String s = MUSIC.matcher(transcript).replaceAll(" ");
        for (String prev = null; !s.equals(prev); ) {
            prev = s;
            s = INNER.matcher(s).replaceAll(" ");
        }
        s = STARRED.matcher(s).replaceAll(" ");
        s = STRAY.matcher(s).replaceAll(" ");
        s = SPACE.matcher(s).replaceAll(" ").strip();
        s = SPACE_BEFORE_PUNCT.matcher(s).replaceAll("$1");
        return s.codePoints().anyMatch(Character::isLetterOrDigit) ? s : "";
    }
}
