"""Writes example PGM images for fewshot-edge: three stroke shapes (the tests' Shapes.cs), dark on white, 64x64.

usage: python3 make-example-images.py <folder>
  <folder>/support/{bar,pole,ring}/{0,1,2}.pgm   three variants of each shape, to learn from
  <folder>/new-{bar,pole,ring}.pgm               an unseen variant of each, to classify
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from example_shapes import KINDS, ink  # noqa: E402


def draw(kind, variant, size=64):
    """A binary PGM of the shape, dark strokes on white paper."""
    pixels = bytes(0 if on else 255 for on in ink(kind, variant, size))
    return b'P5\n%d %d\n255\n' % (size, size) + pixels


root = sys.argv[1]
for kind in KINDS:
    os.makedirs(os.path.join(root, 'support', kind), exist_ok=True)
    for variant in range(3):
        with open(os.path.join(root, 'support', kind, f'{variant}.pgm'), 'wb') as f:
            f.write(draw(kind, variant))
    with open(os.path.join(root, f'new-{kind}.pgm'), 'wb') as f:
        f.write(draw(kind, 4))
