"""Reference implementations of what the notebooks teach (guide §5).

"You built this in notebook NN; from here on we use the reference version."

- notebook 01: step_function, sigmoid, sigmoid_grad, tanh, relu, relu_grad
- notebook 03: softmax, cross_entropy_error, mean_squared_error, binary_cross_entropy, hinge_loss
- notebook 04: MatMul, Affine, Sigmoid, Relu, SoftmaxWithLoss, numerical_gradient, gradient checks
- notebook 05: SGD, Momentum, AdaGrad, RMSProp, Adam, minibatches, train_step, accuracy, Trainer, TwoLayerNet
- notebook 07: RNN, TimeRNN, TimeEmbedding, TimeAffine, TimeSoftmaxWithLoss, ... (helpers.nn.rnn)
"""

from .functions import (binary_cross_entropy, cross_entropy_error, hinge_loss, identity,
                        mean_squared_error, relu, relu_grad, sigmoid, sigmoid_grad, softmax,
                        step_function, tanh, tanh_grad)
from .gradcheck import gradient_check, layer_gradient_check, numerical_gradient, relative_error
from .layers import Affine, MatMul, Network, Relu, Sigmoid, SoftmaxWithLoss, TwoLayerNet
from .models import MLPClassifier, Tanh
from .optimizers import SGD, AdaGrad, Adam, Momentum, RMSProp
from .trainer import Trainer, accuracy, minibatches, train_step
from .rnn import (RNN, Embedding, NaiveTimeRNN, SimpleRnnlm, TimeAffine, TimeEmbedding, TimeRNN,
                  TimeSoftmaxWithLoss, clip_grads, generate, perplexity, ptb_style_batches)
