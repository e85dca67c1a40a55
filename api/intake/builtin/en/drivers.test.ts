import { describe, expect, it } from 'vitest';
import { parseTurns } from '../turns.js';
import { findDrivers } from './drivers.js';

const drivers = (lines: string[]) => findDrivers(parseTurns(lines.join('\n'))).value;

describe('findDrivers', () => {
  it('names the caller and the other driver but not the agent', () => {
    expect(
      drivers([
        'Agent: Hello, you are speaking to Priya. Can I take your name?',
        'Caller: Hi Priya, it is Oskar Lindqvist.',
        'Agent: Did you get the other driver’s name?',
        'Caller: Yes, her name is Fenella Osei.',
      ]),
    ).toEqual(['Oskar Lindqvist', 'Fenella Osei']);
  });
  it('leaves out witnesses and passengers', () => {
    expect(
      drivers([
        'Agent: Your name, please?',
        'Caller: Bronwyn Tate.',
        'Agent: Did you get his details?',
        'Caller: The driver was Ivo Petrakis. A man at the bus stop saw everything, Colm Reddy.',
        'Caller: My friend Talia Brooks was in the passenger seat.',
      ]),
    ).toEqual(['Bronwyn Tate', 'Ivo Petrakis']);
  });
  it('lists only the caller when the other driver’s name was never learned', () => {
    expect(
      drivers(['Agent: Can I take your name?', 'Caller: Dermot Quigley.', 'Agent: And the other driver’s name?', 'Caller: I never got it, he drove off.']),
    ).toEqual(['Dermot Quigley']);
  });
  it('names a relative who drove instead of the caller phoning on their behalf', () => {
    expect(
      drivers([
        'Agent: Can I take your name?',
        'Caller: Maureen Calloway. I am calling on behalf of my daughter.',
        'Agent: I see a named driver, Keeley Calloway. Is it Keeley who was driving?',
        'Caller: Yes.',
      ]),
    ).toEqual(['Keeley Calloway']);
  });
  it('keeps an other driver who shares the agent’s first name', () => {
    expect(
      drivers([
        'Agent: This is Sam. Who am I speaking with?',
        'Caller: Hi Sam, I am Noor Haddad.',
        'Agent: Did you get the other driver’s name?',
        'Caller: Sam Okafor.',
      ]),
    ).toEqual(['Noor Haddad', 'Sam Okafor']);
  });
});

describe('findDrivers without capitals', () => {
  it('finds names in a lower-case transcript with compromise', () => {
    expect(drivers(['agent: can i take your name?', 'caller: it is john smith.'])).toEqual(['John Smith']);
  });
});

describe('findDrivers, other phrasings', () => {
  it('reads the caller from "your good name" and an Irish greeting before the agent name', () => {
    expect(drivers(['Agent: Hello, Aoife here.', 'Caller: Howya Aoife.', 'Agent: May I have your good name?', 'Caller: Sanjay Pillai.'])).toEqual([
      'Sanjay Pillai',
    ]);
  });
  it('leaves out whoever answers "did anyone see it?"', () => {
    expect(
      drivers(['Agent: Your name?', 'Caller: Ruth Ellery.', 'Agent: Did anyone see it?', 'Caller: A woman called Mina Farouk stopped and waited with me.']),
    ).toEqual(['Ruth Ellery']);
  });
  it('takes the relative who drove when the caller was not driving', () => {
    expect(
      drivers([
        'Agent: How can I help?',
        "Caller: It wasn't me driving, it was my daughter.",
        'Agent: Your name?',
        'Caller: Paul Ferris. My daughter is Lucy Ferris, she is on the policy.',
      ]),
    ).toEqual(['Lucy Ferris']);
  });
});

describe('findDrivers, how callers introduce people', () => {
  it('takes a parent phoning about a son who drove, and the other driver after a false start', () => {
    expect(
      drivers([
        'Agent: Claims, how can I help?',
        "Caller: I'm calling about my daughter. She had a bump in my car and she's at college.",
        'Agent: Can I take your name first, as the policyholder?',
        'Caller: Gwen Haldane.',
        "Agent: And your daughter's name? Was she driving?",
        'Caller: Yes. Isla. Isla Haldane.',
        "Agent: Did Isla get the other driver's name?",
        'Caller: Yeah, Tomas... Tomas Reyes.',
      ]),
    ).toEqual(['Isla Haldane', 'Tomas Reyes']);
  });
  it('keeps surname particles, drops spelled initials and a possessive honorific', () => {
    expect(
      drivers([
        'Agent: Do you have the reference?',
        "Caller: It's K T four four one.",
        'Agent: And your name?',
        'Caller: Ravi Moodley.',
        'Agent: Did you get the other driver’s name?',
        'Caller: His name is Willem de Jongh. And Madam’s car behind had a dent.',
      ]),
    ).toEqual(['Ravi Moodley', 'Willem de Jongh']);
  });
  it('takes the answer to a bare "and the other driver?" and to "the lady’s details", titles dropped', () => {
    expect(
      drivers(['Agent: Your name?', 'Caller: Noor Haddad.', 'Agent: And the other driver?', 'Caller: A dentist, actually, Dr. Elsa Brandt, very calm.']),
    ).toEqual(['Noor Haddad', 'Elsa Brandt']);
    expect(drivers(['Agent: Your name?', 'Caller: Noor Haddad.', 'Agent: Did you get the man’s details?', 'Caller: Yes, he is Mr Aldo Ferri.'])).toEqual([
      'Noor Haddad',
      'Aldo Ferri',
    ]);
  });
  it('reads accented names, capitalised surname particles and skips two-letter fragments', () => {
    expect(drivers(['Agent: Can I take your name?', 'Caller: Yes, it’s Łucja Ørsted. Ørsted with an O.'])).toEqual(['Łucja Ørsted']);
    expect(drivers(['Agent: May I have your complete name?', 'Caller: Nope, sorry. Teodoro De Leon, that is me.'])).toEqual(['Teodoro De Leon']);
    expect(
      drivers([
        'Agent: Can I have your name, and your sister’s name?',
        'Caller: Mi name Olive Brathwaite, an’ mi sister is Janelle Brathwaite. Mi calling fi mi sister.',
        'Agent: Did she get the other driver’s details?',
        'Caller: Yes, di man name Clive Anderton.',
      ]),
    ).toEqual(['Janelle Brathwaite', 'Clive Anderton']);
  });
});
