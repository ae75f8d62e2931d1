"""Writes example PGM images for fewshot-edge: three stroke shapes (the tests' Shapes.cs), dark on white, 64x64.

usage: python3 make-example-images.py <folder>
  <folder>/support/{bar,pole,ring}/{0,1,2}.pgm   three variants of each shape, to learn from
  <folder>/new-{bar,pole,ring}.pgm               an unseen variant of each, to classify
"""
import math
import os
import sys


def draw(kind, variant, size=64):
    shift = ((variant % 3) - 1) * 0.06
    half = 0.06 + 0.015 * (variant % 2)
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            u = (x + .5) / size - .5 - shift
            v = (y + .5) / size - .5 + shift
            ink = {'bar': abs(v) < half and abs(u) < .35,
                   'pole': abs(u) < half and abs(v) < .35,
                   'ring': abs(math.hypot(u, v) - .28) < half}[kind]
            pixels.append(0 if ink else 255)
    return b'P5\n%d %d\n255\n' % (size, size) + bytes(pixels)


root = sys.argv[1]
for kind in ['bar', 'pole', 'ring']:
    os.makedirs(os.path.join(root, 'support', kind), exist_ok=True)
    for variant in range(3):
        with open(os.path.join(root, 'support', kind, f'{variant}.pgm'), 'wb') as f:
            f.write(draw(kind, variant))
    with open(os.path.join(root, f'new-{kind}.pgm'), 'wb') as f:
        f.write(draw(kind, 4))
