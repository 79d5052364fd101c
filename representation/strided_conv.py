"""A 3x3, stride-2, padding-1 convolution whose input gradient runs as a forward convolution.

On CPU, oneDNN computes the input gradient of the encoder's thin stride-2 convolutions (4 -> 8 and
8 -> 16 channels) 3-7x slower than the forward pass of the same size. The gradient is a transposed
convolution, and it splits by the parity of the input pixel: input row 2m takes kernel row 1 of
output row m; input row 2m + 1 takes kernel row 2 of output row m and kernel row 0 of output row
m + 1 (columns alike). So all four parity classes come from one stride-1 2x2 convolution of the
output gradient (padded by one row and column at the bottom and right), with 4 x C_in output
channels ordered (row parity, column parity, channel), followed by one copy that interleaves them.
Same result up to float rounding; the forward pass and the weight gradient are PyTorch's own.
"""
import torch
import torch.nn.functional as F

# (parity of the input pixel, offset of the output pixel) -> kernel tap; the missing (0, 1) is zero.
_TAP = {(0, 0): 1, (1, 0): 2, (1, 1): 0}


def input_grad_kernel(weight):
    """(C_out, C_in, 3, 3) weight -> (4 C_in, C_out, 2, 2) kernel of the input gradient.

    Output channel (a * 2 + b) * C_in + c is input channel c at row parity a and column parity b.
    """
    c_out, c_in = weight.shape[:2]
    kernel = weight.new_zeros(2, 2, c_in, c_out, 2, 2)
    for (a, di), ky in _TAP.items():
        for (b, dj), kx in _TAP.items():
            kernel[a, b, :, :, di, dj] = weight[:, :, ky, kx].t()
    return kernel.reshape(4 * c_in, c_out, 2, 2)


def conv_input_grad(grad_out, weight):
    """Gradient (B, C_in, 2H, 2W) of a 3x3 stride-2 padding-1 convolution's input, from grad_out (B, C_out, H, W).

    Returned in the channels_last memory format.
    """
    batch, _, height, width = grad_out.shape
    c_in = weight.shape[1]
    kernel = input_grad_kernel(weight).contiguous(memory_format=torch.channels_last)
    parts = F.conv2d(F.pad(grad_out, (0, 1, 0, 1)).contiguous(memory_format=torch.channels_last), kernel)
    # parts in memory: (B, H, W, a, b, C_in) -> (B, H, a, W, b, C_in) = (B, 2H, 2W, C_in)
    nhwc = parts.permute(0, 2, 3, 1).reshape(batch, height, width, 2, 2, c_in)
    nhwc = nhwc.permute(0, 1, 3, 2, 4, 5).reshape(batch, 2 * height, 2 * width, c_in)
    return nhwc.permute(0, 3, 1, 2)


class _StridedConv(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx.save_for_backward(x, weight)
        return F.conv2d(x, weight, bias, stride=2, padding=1)

    @staticmethod
    def backward(ctx, grad_out):
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        grad_x = conv_input_grad(grad_out, weight) if need_x else None
        grad_w = grad_b = None
        if need_w or need_b:
            _, grad_w, grad_b = torch.ops.aten.convolution_backward(
                grad_out, x, weight, [weight.shape[0]], [2, 2], [1, 1], [1, 1], False, [0, 0], 1,
                [False, need_w, need_b])
        return grad_x, grad_w, grad_b


def strided_conv(x, conv):
    """conv(x) for an nn.Conv2d(3x3, stride 2, padding 1), x (B, C_in, 2H, 2W) -> (B, C_out, H, W).

    On CPU in float32 the input gradient runs as in the module docstring (forward and weight
    gradient are PyTorch's own); elsewhere (CUDA, autocast, odd sizes) this is conv(x).
    """
    if x.device.type != "cpu" or torch.is_autocast_enabled("cpu") or x.shape[-1] % 2 or x.shape[-2] % 2:
        return conv(x)
    return _StridedConv.apply(x, conv.weight, conv.bias)
