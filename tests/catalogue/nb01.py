"""Wrong and right answers for notebook 01 (activation functions)."""

from catalogue import Right, Wrong

CASES = [
    Wrong("1.1", "uses >= so that step(0) = 1", fails_at="values", code="""
def step_function(x):
    return (x >= 0).astype(int)
"""),
    Right("1.1", "np.where instead of a comparison cast", code="""
def step_function(x):
    return np.where(x > 0, 1, 0)
"""),
]
