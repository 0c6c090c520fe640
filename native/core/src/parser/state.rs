//! Parser states: one per consumed byte of an op name, as in nats-server's
//! parser.go (`OP_P`, `OP_PU`, `OP_PUB`, `OP_PUB_SPC`, `PUB_ARG`, ...).

use super::op::kind;

/// Where the parser is within the current op.
#[allow(missing_docs)] // The names are the documentation: the bytes seen so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    OpStart,
    OpPlus,
    OpPlusO,
    OpPlusOk,
    OpMinus,
    OpMinusE,
    OpMinusEr,
    OpMinusErr,
    OpMinusErrSpc,
    MinusErrArg,
    OpC,
    OpCo,
    OpCon,
    OpConn,
    OpConne,
    OpConnec,
    OpConnect,
    ConnectArg,
    OpH,
    OpHp,
    OpHpu,
    OpHpub,
    OpHpubSpc,
    HpubArg,
    OpHm,
    OpHms,
    OpHmsg,
    OpHmsgSpc,
    HmsgArg,
    OpP,
    OpPu,
    OpPub,
    OpPubSpc,
    PubArg,
    OpPi,
    OpPin,
    OpPing,
    OpPo,
    OpPon,
    OpPong,
    MsgPayload,
    MsgEndR,
    MsgEndN,
    OpS,
    OpSu,
    OpSub,
    OpSubSpc,
    SubArg,
    OpU,
    OpUn,
    OpUns,
    OpUnsu,
    OpUnsub,
    OpUnsubSpc,
    UnsubArg,
    OpM,
    OpMs,
    OpMsg,
    OpMsgSpc,
    MsgArg,
    OpI,
    OpIn,
    OpInf,
    OpInfo,
    InfoArg,
    // Route ops (a parser in route mode only): RS+, RS-, RMSG.
    OpR,
    OpRs,
    OpRsPlus,
    OpRsPlusSpc,
    RsPlusArg,
    OpRsMinus,
    OpRsMinusSpc,
    RsMinusArg,
    OpRm,
    OpRms,
    OpRmsg,
    OpRmsgSpc,
    RmsgArg,
}

impl State {
    /// Reading the argument line of an op (up to its `\n`).
    #[inline(always)]
    pub fn is_arg(self) -> bool {
        matches!(
            self,
            State::MinusErrArg
                | State::ConnectArg
                | State::HpubArg
                | State::HmsgArg
                | State::PubArg
                | State::SubArg
                | State::UnsubArg
                | State::MsgArg
                | State::InfoArg
                | State::RsPlusArg
                | State::RsMinusArg
                | State::RmsgArg
        )
    }

    /// Reading the payload of PUB, HPUB, MSG or HMSG, or its CRLF.
    pub fn in_payload(self) -> bool {
        matches!(self, State::MsgPayload | State::MsgEndR | State::MsgEndN)
    }

    /// States whose op needs bytes already seen (arguments, payload).
    pub fn holds_bytes(self) -> bool {
        self.is_arg() || self.in_payload()
    }

    /// Still within an op name or the blanks after it.
    pub fn is_name(self) -> bool {
        !self.holds_bytes()
    }

    /// The state after an op-name byte (`up` upper-cased; `blank` for a
    /// space or tab), or None when the byte does not continue an op name.
    pub fn after(self, up: u8, blank: bool) -> Option<State> {
        use State::*;
        Some(match (self, up) {
            (OpStart, b'P') => OpP,
            (OpStart, b'H') => OpH,
            (OpStart, b'S') => OpS,
            (OpStart, b'U') => OpU,
            (OpStart, b'C') => OpC,
            (OpStart, b'I') => OpI,
            (OpStart, b'M') => OpM,
            (OpStart, b'+') => OpPlus,
            (OpStart, b'-') => OpMinus,
            (OpStart, b'R') => OpR,
            (OpR, b'S') => OpRs,
            (OpR, b'M') => OpRm,
            (OpRs, b'+') => OpRsPlus,
            (OpRs, b'-') => OpRsMinus,
            (OpRm, b'S') => OpRms,
            (OpRms, b'G') => OpRmsg,
            (OpP, b'U') => OpPu,
            (OpP, b'I') => OpPi,
            (OpP, b'O') => OpPo,
            (OpPu, b'B') => OpPub,
            (OpPi, b'N') => OpPin,
            (OpPin, b'G') => OpPing,
            (OpPo, b'N') => OpPon,
            (OpPon, b'G') => OpPong,
            (OpH, b'P') => OpHp,
            (OpH, b'M') => OpHm,
            (OpHp, b'U') => OpHpu,
            (OpHpu, b'B') => OpHpub,
            (OpHm, b'S') => OpHms,
            (OpHms, b'G') => OpHmsg,
            (OpS, b'U') => OpSu,
            (OpSu, b'B') => OpSub,
            (OpU, b'N') => OpUn,
            (OpUn, b'S') => OpUns,
            (OpUns, b'U') => OpUnsu,
            (OpUnsu, b'B') => OpUnsub,
            (OpC, b'O') => OpCo,
            (OpCo, b'N') => OpCon,
            (OpCon, b'N') => OpConn,
            (OpConn, b'E') => OpConne,
            (OpConne, b'C') => OpConnec,
            (OpConnec, b'T') => OpConnect,
            (OpI, b'N') => OpIn,
            (OpIn, b'F') => OpInf,
            (OpInf, b'O') => OpInfo,
            (OpM, b'S') => OpMs,
            (OpMs, b'G') => OpMsg,
            (OpPlus, b'O') => OpPlusO,
            (OpPlusO, b'K') => OpPlusOk,
            (OpMinus, b'E') => OpMinusE,
            (OpMinusE, b'R') => OpMinusEr,
            (OpMinusEr, b'R') => OpMinusErr,
            // The op name must be followed by a blank...
            (OpPub, _) if blank => OpPubSpc,
            (OpHpub, _) if blank => OpHpubSpc,
            (OpHmsg, _) if blank => OpHmsgSpc,
            (OpSub, _) if blank => OpSubSpc,
            (OpUnsub, _) if blank => OpUnsubSpc,
            (OpMsg, _) if blank => OpMsgSpc,
            (OpMinusErr, _) if blank => OpMinusErrSpc,
            (OpRsPlus, _) if blank => OpRsPlusSpc,
            (OpRsMinus, _) if blank => OpRsMinusSpc,
            (OpRmsg, _) if blank => OpRmsgSpc,
            // ...except CONNECT and INFO, where nats-server lets the JSON
            // follow directly.
            (OpConnect, _) | (OpInfo, _) | (OpPubSpc, _) | (OpHpubSpc, _)
            | (OpHmsgSpc, _) | (OpSubSpc, _) | (OpUnsubSpc, _) | (OpMsgSpc, _)
            | (OpMinusErrSpc, _) | (OpRsPlusSpc, _) | (OpRsMinusSpc, _) | (OpRmsgSpc, _)
                if blank =>
            {
                self
            }
            _ => return None,
        })
    }

    /// For the states after an op name, the argument state a non-blank
    /// byte leads to, and the op kind it parses.
    pub fn arg_state(self) -> Option<(State, u32)> {
        Some(match self {
            State::OpPubSpc => (State::PubArg, kind::PUB),
            State::OpHpubSpc => (State::HpubArg, kind::HPUB),
            State::OpSubSpc => (State::SubArg, kind::SUB),
            State::OpUnsubSpc => (State::UnsubArg, kind::UNSUB),
            State::OpMsgSpc => (State::MsgArg, kind::MSG),
            State::OpHmsgSpc => (State::HmsgArg, kind::HMSG),
            State::OpMinusErrSpc => (State::MinusErrArg, kind::ERR),
            State::OpConnect => (State::ConnectArg, kind::CONNECT),
            State::OpInfo => (State::InfoArg, kind::INFO),
            State::OpRsPlusSpc => (State::RsPlusArg, kind::RS_SUB),
            State::OpRsMinusSpc => (State::RsMinusArg, kind::RS_UNSUB),
            State::OpRmsgSpc => (State::RmsgArg, kind::RMSG),
            _ => return None,
        })
    }
}
