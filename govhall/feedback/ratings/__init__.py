"""好差评: ratings of cases on every channel, the 差评 loop and appeals (issue 12 §1)."""
