"""Synthetic but realistic-looking catalog text: names, titles, abstracts.

Deterministic for a seed. Word frequencies follow a Zipf-like law, so some
words ("model", "language") occur in a large share of abstracts and some
invented method names occur in one or two: the benchmark searches both.
Abstracts are assembled from a pool of generated sentences (generating every
word of 100,000 abstracts one by one would dominate the benchmark's setup
time), plus a few paper-specific words, so no two abstracts are the same.
"""

from __future__ import annotations

import bisect
import itertools
import random


def _words(text: str) -> list[str]:
    return text.split()


COMMON_WORDS = _words(
    """
model models language learning training data large neural network networks method methods
results performance task tasks approach propose show benchmark evaluation dataset datasets
transformer transformers attention scaling inference reasoning generation representation
representations parameters optimization gradient loss pretraining finetuning fine-tuning
efficient efficiency robust robustness generalization zero-shot few-shot supervised
unsupervised reinforcement policy agent agents reward vision image images text code
retrieval memory context long sequence sequences tokens token embedding embeddings analysis
framework architecture layer layers experiments experimental state-of-the-art baseline
baselines improve improves improvement accuracy error errors distribution distributions
sample samples sampling diffusion graph graphs knowledge alignment human feedback safety
evaluation interpretability mechanistic features feature circuits probing causal multimodal
multilingual translation speech audio video temporal spatial planning search compute budget
hardware memory-efficient quantization pruning sparse sparsity mixture experts routing
theoretical theory bounds convergence stochastic variational bayesian uncertainty
calibration adversarial attack attacks defense privacy federated continual curriculum
open-source release released weights checkpoints scale scales scaled larger smaller
"""
)

FUNCTION_WORDS = _words(
    """
the of and to in a we that is for on with as by this our are from an be which these it at
can their both while has have not also more than into over such using through between
"""
)

SYLLABLES = _words(
    """
ka ri to na mi ro lu ve sa te po zi da fe gu ho ja ke li mo nu pa qui ra se ti vo wa xe
yo ze bra cle dri fla gro ple sta tri vel mor tan dex lin gar phi syn kor mal ver tor
"""
)

FIRST_NAMES = _words(
    """
Stella Hailey Leo Hugo Aarohi Jason Sid Quentin Lintang Niklas Teven Colin Adam Ellie
Nora Amir Wei Li Yuki Hiroshi Priya Ravi Anna Maria José Jürgen Zoë Chloé François
Søren Łukasz Ahmed Fatima Chen Xin Mei Olga Ivan Pavel Elena Marco Giulia Lucas Sofia
Mateo Valentina Diego Camila Omar Layla Kwame Amara Tariq Ingrid Lars Astrid Emil Freya
Noah Emma Liam Olivia Ethan Ava Mason Isabella Logan Mia Jacob Harper Aiden Evelyn
Daniel Abigail Henry Emily Sebastian Ella Jack Scarlett Owen Aria Samuel Luna Ryan Grace
"""
)

LAST_NAMES = _words(
    """
Biderman Schoelkopf Gao Laurençon Srivastava Phang Black Anthony Sutawika Muennighoff
Scao Raffel Roberts Pavlick Smith Johnson Williams Brown Jones Garcia Miller Davis
Rodriguez Martinez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson
Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young
Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera
Campbell Mitchell Carter Roberts Wang Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma
Kumar Singh Sharma Patel Gupta Tanaka Suzuki Takahashi Watanabe Ito Kim Park Choi Jung
Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Dubois Moreau
Lefèvre Rossi Russo Ferrari Esposito Bianchi Novák Kowalski Wiśniewski Ivanov Petrov
Johansson Andersson Nilsson Hansen Jensen Nielsen Van der Berg De Vries Okafor Mensah
"""
)

VENUE_STEMS = _words(
    """
ICLR NeurIPS ICML ACL EMNLP NAACL COLING CVPR ICCV ECCV AAAI IJCAI KDD WWW SIGIR CIKM
FAccT COLM TMLR JMLR AISTATS UAI CoRL RSS ICRA IROS Interspeech ICASSP LREC EACL
"""
)

AWARD_NAMES = [
    "Outstanding Paper Award",
    "Best Paper Award",
    "Oral Presentation",
    "Spotlight",
    "Best Student Paper",
    "Test of Time Award",
    "Honorable Mention",
    "Best Demo Paper",
    "Best Long Paper",
    "Best Short Paper",
    "Best Resource Paper",
    "Area Chair Award",
    "Best Theme Paper",
    "Outstanding Dataset Award",
    "Best Reproducibility Award",
    "Distinguished Paper",
    "Best Poster",
    "Social Impact Award",
    "Senior Area Chair Award",
    "Best Paper Runner-Up",
]


class Zipf:
    """Draw indexes 0..n-1 with weight 1 / (i + offset) ** s."""

    def __init__(self, n: int, s: float, offset: float = 1.0, rng: random.Random | None = None):
        self.rng = rng or random.Random(0)
        weights = [1.0 / (i + offset) ** s for i in range(n)]
        self.cum = list(itertools.accumulate(weights))
        self.total = self.cum[-1]

    def draw(self) -> int:
        return bisect.bisect_left(self.cum, self.rng.random() * self.total)

    def draws(self, k: int) -> list[int]:
        rng, cum, total = self.rng, self.cum, self.total
        return [bisect.bisect_left(cum, rng.random() * total) for _ in range(k)]


class TextGen:
    def __init__(self, seed: int = 7, sentences: int = 20_000):
        self.rng = rng = random.Random(seed)
        # Invented words: the long tail of the vocabulary (method names, jargon).
        invented = set()
        while len(invented) < 30_000:
            word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
            invented.add(word)
        invented = sorted(invented)
        rng.shuffle(invented)  # frequency rank must not follow the alphabet
        self.vocabulary = COMMON_WORDS + invented
        self.word_zipf = Zipf(len(self.vocabulary), 1.05, offset=2.0, rng=rng)
        self.sentences = [self._sentence() for _ in range(sentences)]
        self.rare = invented[-5000:]  # the least frequent: paper-specific words

    def _word(self) -> str:
        return self.vocabulary[self.word_zipf.draw()]

    def _sentence(self) -> str:
        rng = self.rng
        words = []
        for _ in range(rng.randint(14, 28)):
            words.append(rng.choice(FUNCTION_WORDS) if rng.random() < 0.4 else self._word())
        words[0] = words[0].capitalize()
        return " ".join(words) + "."

    def title(self, i: int, name: str | None = None) -> str:
        rng = self.rng
        name = name or self.method_name(i)
        shape = rng.random()
        topic = " ".join(self._word() for _ in range(rng.randint(3, 7)))
        if shape < 0.45:
            return f"{name}: {topic.title()} for {self._word().title()} {self._word().title()}"
        if shape < 0.75:
            return f"{topic.capitalize()} with {name}"
        return f"On the {self._word()} of {topic} ({name})"

    def method_name(self, i: int) -> str:
        # Unique per paper: a base-26-ish code plus an invented word.
        code, n = "", i + 1
        while n:
            n, r = divmod(n, 26)
            code += "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[r]
        return f"{self.rng.choice(self.rare).capitalize()}{code}"

    def abstract(self, i: int, name: str | None = None) -> str:
        """About 1,000-1,500 characters."""
        rng = self.rng
        target = rng.randint(1000, 1500)
        name = name or self.method_name(i)
        parts = [f"We introduce {name}, a {self._word()} {self._word()} for {self._word()}."]
        length = len(parts[0])
        while length < target:
            sentence = rng.choice(self.sentences)
            parts.append(sentence)
            length += len(sentence) + 1
        if rng.random() < 0.5:
            parts.insert(rng.randint(1, len(parts) - 1), f"{name} uses {rng.choice(self.rare)}.")
        return " ".join(parts)

    def person_name(self, i: int) -> str:
        rng = self.rng
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        if rng.random() < 0.25:
            last = f"{last}-{rng.choice(LAST_NAMES)}"
        if rng.random() < 0.2:
            return f"{first} {chr(65 + rng.randrange(26))}. {last}"
        return f"{first} {last}"

    def venue_names(self, n: int) -> list[str]:
        names = ["arXiv", "bioRxiv"]
        suffixes = ["", " Workshop", " (Findings)", " Datasets and Benchmarks", " Demo Track"]
        for stem in VENUE_STEMS:
            for suffix in suffixes:
                names.append(f"{stem}{suffix}")
        k = 1
        while len(names) < n:
            names.append(f"Workshop on {self._word().title()} {self._word().title()} {k}")
            k += 1
        return names[:n]
