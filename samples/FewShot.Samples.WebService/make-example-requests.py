"""Writes example request bodies for the web service: the edge sample's shapes at 28x28, strokes 1.0, paper 0.0.

usage: python3 make-example-requests.py <folder>
  <folder>/adapt.json     bar, pole and ring, three variants each, labelled
  <folder>/predict.json   an unseen variant of each
"""
import json
import math
import os
import sys


def ink(kind, variant, size=28):
    shift = ((variant % 3) - 1) * 0.06
    half = 0.06 + 0.015 * (variant % 2)
    values = []
    for y in range(size):
        for x in range(size):
            u = (x + .5) / size - .5 - shift
            v = (y + .5) / size - .5 + shift
            on = {'bar': abs(v) < half and abs(u) < .35,
                  'pole': abs(u) < half and abs(v) < .35,
                  'ring': abs(math.hypot(u, v) - .28) < half}[kind]
            values.append(1.0 if on else 0.0)
    return values


root = sys.argv[1]
kinds = ['bar', 'pole', 'ring']
with open(os.path.join(root, 'adapt.json'), 'w') as f:
    json.dump({'examples': [ink(k, v) for k in kinds for v in range(3)], 'labels': [k for k in kinds for _ in range(3)]}, f)
with open(os.path.join(root, 'predict.json'), 'w') as f:
    json.dump({'examples': [ink(k, 4) for k in kinds]}, f)
