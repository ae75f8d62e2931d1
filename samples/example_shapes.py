"""The three stroke shapes the samples' example scripts draw (the same as Tests/FewShot.Samples.Tests/Shapes.cs)."""
import math

KINDS = ['bar', 'pole', 'ring']


def ink(kind, variant, size):
    """Row-major size x size values, 1.0 on the stroke and 0.0 off it; variants shift and thicken the stroke."""
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
