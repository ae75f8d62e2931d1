"""Writes example request bodies for the web service: the edge sample's shapes at 28x28, strokes 1.0, paper 0.0.

usage: python3 make-example-requests.py <folder>
  <folder>/adapt.json     bar, pole and ring, three variants each, labelled
  <folder>/predict.json   an unseen variant of each
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
from example_shapes import KINDS, ink  # noqa: E402

root = sys.argv[1]
with open(os.path.join(root, 'adapt.json'), 'w') as f:
    json.dump({'examples': [ink(k, v, 28) for k in KINDS for v in range(3)], 'labels': [k for k in KINDS for _ in range(3)]}, f)
with open(os.path.join(root, 'predict.json'), 'w') as f:
    json.dump({'examples': [ink(k, 4, 28) for k in KINDS]}, f)
