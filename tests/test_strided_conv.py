"""The stride-2 convolution whose input gradient runs as a forward convolution equals nn.Conv2d."""
import pytest
import torch
from torch import nn

from representation.strided_conv import strided_conv


@pytest.mark.parametrize("c_in, c_out, size", [(4, 8, 32), (8, 16, 16), (3, 5, 6), (1, 2, 2)])
@pytest.mark.parametrize("channels_last", [False, True])
def test_output_and_all_gradients_equal_conv2d(c_in, c_out, size, channels_last):
    torch.manual_seed(c_in * 100 + size)
    conv = nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)
    x = torch.randn(5, c_in, size, size)
    if channels_last:
        conv, x = conv.to(memory_format=torch.channels_last), x.contiguous(memory_format=torch.channels_last)
    x.requires_grad_()
    target = torch.randn(5, c_out, size // 2, size // 2)
    params = [x, conv.weight, conv.bias]
    out = strided_conv(x, conv)
    expected = conv(x)
    assert torch.allclose(out, expected, atol=1e-6)
    grads = torch.autograd.grad((out * target).sum(), params)
    expected_grads = torch.autograd.grad((expected * target).sum(), params)
    for name, grad, want in zip(("input", "weight", "bias"), grads, expected_grads):
        assert grad.shape == want.shape, name
        assert torch.allclose(grad, want, rtol=1e-5, atol=1e-5), name


def test_weight_gradient_only_and_input_gradient_only():
    torch.manual_seed(0)
    conv = nn.Conv2d(4, 8, 3, stride=2, padding=1)
    x = torch.randn(3, 4, 8, 8)
    grad_w = torch.autograd.grad(strided_conv(x, conv).sum(), conv.weight)[0]
    assert torch.allclose(grad_w, torch.autograd.grad(conv(x).sum(), conv.weight)[0], atol=1e-5)
    conv.requires_grad_(False)
    x.requires_grad_()
    grad_x = torch.autograd.grad(strided_conv(x, conv).sum(), x)[0]
    assert torch.allclose(grad_x, torch.autograd.grad(conv(x).sum(), x)[0], atol=1e-5)


def test_odd_sizes_fall_back_to_the_module():
    torch.manual_seed(0)
    conv = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    x = torch.randn(2, 2, 7, 7, requires_grad=True)
    out = strided_conv(x, conv)
    assert out.shape == (2, 3, 4, 4)
    grad = torch.autograd.grad(out.sum(), x)[0]
    assert torch.allclose(grad, torch.autograd.grad(conv(x).sum(), x)[0], atol=1e-6)
