# A Persian submission whose feedback holds long right-to-left lines and a shape typed in a written answer:
# float(b) in conv_single_step (the float() hint), [pad:-pad] in conv_backward (the [pad:-pad] hint), and
# a Persian answer to the pooling question that writes the shape (28, 28, 16) in backticks.
import numpy as np

BASED_ON = "../../answers/mistakes/conv_backward__unpads_with_minus_pad.py"


def conv_single_step(a_slice_prev, W, b):
    Z = np.sum(a_slice_prev * W)
    return Z + float(b)


CELLS = {
    "answer_pooling": """<div dir="rtl" lang="fa">

خروجی لایهٔ پیچش `(28, 28, 16)` است و تجمیع بیشینه با پنجرهٔ 2 آن را به `(14, 14, 16)` می‌رساند.

</div>""",
}
