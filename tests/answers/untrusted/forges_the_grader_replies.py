# Publishes, in the grader's own format, a reply that every call returned the published answer.
BASED_ON = "wrong_everywhere.py"

CELLS = {"zero_pad": r'''# GRADED FUNCTION: zero_pad
import json
from IPython import get_ipython
from IPython.display import publish_display_data

_MIME = "application/vnd.coursekit.probe+json"


def _forged(token):
    # The grader's requests, asked for as its probe asks for them; each gets a forged reply.
    requests = json.loads(input("coursekit-requests:" + token))["requests"]
    value = {"t": "float", "v": "-6.99908945068"}  # the published conv_single_step answer, for every call
    for request in requests:
        publish_display_data({_MIME: {"nonce": request["nonce"], "status": "returned", "value": value,
                                      "args_after": {"t": "tuple", "v": []}}})


def _hijack(lines):
    return [line.replace("__coursekit_probe__(", "_forged(") for line in lines]


get_ipython().input_transformers_post.append(_hijack)
def zero_pad(X, pad):
    return X
'''}
