"""Wrong and right answers for notebook 05, exercises 5.5-5.8 (Momentum, AdaGrad, RMSProp, Adam)."""

from catalogue import Right, Wrong

# The constructors as the notebook gives them; each case writes `update`.
MOMENTUM = """
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.v = None
"""
ADAGRAD = """
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-8):
        self.lr, self.eps = lr, eps
        self.h = None
"""
RMSPROP = """
class RMSProp:
    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-8):
        self.lr, self.decay_rate, self.eps = lr, decay_rate, eps
        self.h = None
"""
ADAM = """
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t = 0
        self.m = self.v = None
"""

CASES = [
    # --- 5.5 Momentum ---------------------------------------------------------------------------------
    Wrong("5.5", "rebinds p (p = p + v) instead of updating in place", fails_at="in place", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.momentum
            v -= self.lr * g
            p = p + v
"""),
    Wrong("5.5", "makes the velocities anew at every call", fails_at="kept between calls", code=MOMENTUM + """
    def update(self, params, grads):
        self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.momentum
            v -= self.lr * g
            p += v
"""),
    Wrong("5.5", "rebinds the loop's v, so self.v never changes", fails_at="kept between calls", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v = self.momentum * v - self.lr * g
            p += v
"""),
    Wrong("5.5", "forgets to shrink the old velocity (no momentum factor)", fails_at="momentum*v", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v -= self.lr * g
            p += v
"""),
    Wrong("5.5", "hard-codes momentum 0.9", fails_at="constructor", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= 0.9
            v -= self.lr * g
            p += v
"""),
    Wrong("5.5", "one velocity shared by all parameters", fails_at="own velocity", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = 0.0
        for p, g in zip(params, grads):
            self.v = self.momentum * self.v - self.lr * g
            p += self.v
"""),
    Wrong("5.5", "velocities in a dict keyed by shape: equal shapes share one", fails_at="own velocity",
          code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = {}
        for p, g in zip(params, grads):
            v = self.v.setdefault(p.shape, np.zeros_like(p))
            v *= self.momentum
            v -= self.lr * g
            p += v
"""),
    Wrong("5.5", "scales the gradient in place (g *= lr), writing into grads", fails_at="one update", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            g *= self.lr
            v *= self.momentum
            v -= g
            p += v
"""),
    Right("5.5", "velocity stored with the opposite sign (v <- mu v + lr g, p -= v), index loop", code=MOMENTUM + """
    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros(p.shape) for p in params]
        for i in range(len(params)):
            self.v[i] = self.momentum * self.v[i] + self.lr * grads[i]
            params[i] -= self.v[i]
"""),

    # --- 5.6 AdaGrad ----------------------------------------------------------------------------------
    Wrong("5.6", "eps inside the square root", fails_at="after the square root", code=ADAGRAD + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h += g * g
            p -= self.lr * g / np.sqrt(h + self.eps)
"""),
    Wrong("5.6", "no eps at all: 0/0 where a gradient is 0", fails_at="gradient entry of 0", code=ADAGRAD + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h += g * g
            p -= self.lr * g / np.sqrt(h)
"""),
    Wrong("5.6", "h = g*g at every call (the sum is not kept)", fails_at="kept between calls", code=ADAGRAD + """
    def update(self, params, grads):
        self.h = [g * g for g in grads]
        for p, g, h in zip(params, grads, self.h):
            p -= self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Wrong("5.6", "rebinds p instead of updating in place", fails_at="in place", code=ADAGRAD + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h += g * g
            p = p - self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Wrong("5.6", "divides by h instead of its square root", fails_at="one update", code=ADAGRAD + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h += g * g
            p -= self.lr * g / (h + self.eps)
"""),
    Wrong("5.6", "one h for all parameters (made from params[0])", fails_at="own h", code=ADAGRAD + """
    def update(self, params, grads):
        if self.h is None:
            self.h = np.zeros_like(params[0])
        for p, g in zip(params, grads):
            self.h = self.h + g * g
            p -= self.lr * g / (np.sqrt(self.h) + self.eps)
"""),
    Right("5.6", "h in a dict keyed by position, written with np.add(out=) and ** 0.5", code=ADAGRAD + """
    def update(self, params, grads):
        if self.h is None:
            self.h = {}
        for i, (p, g) in enumerate(zip(params, grads)):
            if i not in self.h:
                self.h[i] = np.zeros_like(p)
            np.add(self.h[i], g ** 2, out=self.h[i])
            p[...] = p - self.lr * g / (self.h[i] ** 0.5 + self.eps)
"""),

    # --- 5.7 RMSProp ----------------------------------------------------------------------------------
    Wrong("5.7", "forgets the (1 - rho) on the new g*g", fails_at="one update", code=RMSPROP + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h *= self.decay_rate
            h += g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Wrong("5.7", "swaps the weights: (1 - rho) on the old h, rho on g*g", fails_at="one update", code=RMSPROP + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h *= 1 - self.decay_rate
            h += self.decay_rate * g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Wrong("5.7", "hard-codes the decay rate 0.99", fails_at="constructor", code=RMSPROP + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h *= 0.99
            h += 0.01 * g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Wrong("5.7", "eps inside the square root", fails_at="after the square root", code=RMSPROP + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            p -= self.lr * g / np.sqrt(h + self.eps)
"""),
    Wrong("5.7", "makes h anew at every call", fails_at="kept between calls", code=RMSPROP + """
    def update(self, params, grads):
        self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Wrong("5.7", "one h shared by every parameter of the same shape", fails_at="own h", code=RMSPROP + """
    def update(self, params, grads):
        if self.h is None:
            self.h = {}
        for p, g in zip(params, grads):
            h = self.h.setdefault(p.shape, np.zeros_like(p))
            h *= self.decay_rate
            h += (1 - self.decay_rate) * g * g
            p -= self.lr * g / (np.sqrt(h) + self.eps)
"""),
    Right("5.7", "the moving average written as h += (1 - rho) * (g*g - h), with p[:] =", code=RMSPROP + """
    def update(self, params, grads):
        if self.h is None:
            self.h = [np.zeros_like(p) for p in params]
        for p, g, h in zip(params, grads, self.h):
            h += (1 - self.decay_rate) * (np.square(g) - h)
            p[:] = p - self.lr * g / (np.sqrt(h) + self.eps)
"""),

    # --- 5.8 Adam -------------------------------------------------------------------------------------
    Wrong("5.8", "no bias correction", fails_at="bias-corrected", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * m / (np.sqrt(v) + self.eps)
"""),
    Wrong("5.8", "counts t after the update, so the first correction divides by 1 - beta**0 = 0",
          fails_at="bias-corrected", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.t += 1
"""),
    Wrong("5.8", "never advances t (always corrects as for the first step)", fails_at="t = 1, 2, 3", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        t = 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** t)
            v_hat = v / (1 - self.beta2 ** t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),
    Wrong("5.8", "advances t once per parameter instead of once per update", fails_at="one t per update",
          code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        for p, g, m, v in zip(params, grads, self.m, self.v):
            self.t += 1
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),
    Wrong("5.8", "eps inside the square root", fails_at="after the square root", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
"""),
    Wrong("5.8", "swaps beta1 and beta2 in the bias corrections", fails_at="bias-corrected", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta2 ** self.t)
            v_hat = v / (1 - self.beta1 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),
    Wrong("5.8", "makes m and v anew at every call", fails_at="kept between calls", code=ADAM + """
    def update(self, params, grads):
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),
    Wrong("5.8", "thinks g2 = g copies the array, and squares the caller's gradient", fails_at="one update",
          code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            g2 = g
            g2 *= g
            v *= self.beta2
            v += (1 - self.beta2) * g2
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),
    Wrong("5.8", "rebinds p instead of updating in place", fails_at="in place", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            m_hat = m / (1 - self.beta1 ** self.t)
            v_hat = v / (1 - self.beta2 ** self.t)
            p = p - self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),
    Right("5.8", "bias corrections folded into the step size and eps (the paper's faster ordering)",
          code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        c1, c2 = 1 - self.beta1 ** self.t, 1 - self.beta2 ** self.t
        step = self.lr * np.sqrt(c2) / c1
        eps = self.eps * np.sqrt(c2)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g * g - v)
            p -= step * m / (np.sqrt(v) + eps)
"""),
    Right("5.8", "textbook lines with rebound state arrays stored back by index", code=ADAM + """
    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t = self.t + 1
        for i, (p, g) in enumerate(zip(params, grads)):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g ** 2
            m_hat = self.m[i] / (1 - self.beta1 ** self.t)
            v_hat = self.v[i] / (1 - self.beta2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
"""),

    # --- found by red-teaming the checks ---------------------------------------------------
    Right("5.5", "PyTorch's form: v <- momentum * v + g, p -= lr * v (the same steps)", code="""
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum
        self.v = None

    def update(self, params, grads):
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.v):
            v *= self.momentum
            v += g
            p -= self.lr * v
"""),
]
