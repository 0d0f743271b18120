package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PromptCleanerTest {
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', emptyValue = "", nullValues = "NULL", textBlock = """
            ' a red fox in the snow '                              | a red fox in the snow
            '[BLANK_AUDIO]'                                        | ''
            '(background music)'                                   | ''
            '[Music] a castle on a hill [Music]'                   | a castle on a hill
            'a cat *laughs* on a sofa'                             | a cat on a sofa
            '♪ la la la ♪ a lighthouse at night'                   | a lighthouse at night
            '[BLANK_AUDIO] (wind) *sighs* ♪ ♪'                     | ''
            'a blue [bird (tweets) sings] sky'                     | a blue sky
            'an old (man [coughs] speaking) tree'                  | an old tree
            'a ship (unclosed annotation'                          | a ship unclosed annotation
            'a ship] and a moon'                                   | a ship and a moon
            'a dog ♪ barking'                                      | a dog barking
            'hello\t\n  world'                                     | hello world
            'stars (softly), over the sea [applause].'             | stars, over the sea.
            '... - !'                                              | ''
            ''                                                     | ''
            NULL                                                   | ''
            '{inaudible} two horses'                               | two horses
            """)
    void cleans(String transcript, String prompt) {
        assertEquals(prompt, PromptCleaner.clean(transcript == null ? null : transcript.replace("\\t", "\t").replace("\\n", "\n")));
    }
}
