<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>Consent</name>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="26" />
        <source>Face check-in needs your separate consent. We keep numbers computed from your face (a template), not a photo; each face check-in also keeps a small face picture with the record for the organizer's review of disputes. Used only for check-in and check-out at this project (%1), deleted when the project's retention period ends. To withdraw, tell staff at any time: the template is deleted at once. Declining changes nothing: your check-in stands and your card and code keep working.</source>
        <translation>开通刷脸签到需要您单独同意。保存什么：由您面部计算出的特征数值（模板），不保存照片；之后每次刷脸签到，会随签到记录保存一张小的面部截图，供主办方核查争议。用途：只用于本项目（%1）的签到和签退。保存多久：到本项目数据保留期结束时删除。如何撤回：随时告诉工作人员，模板立即删除。不同意不影响本次签到，您可以继续刷身份证或扫码。</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="36" />
        <source>Enable face check-in?</source>
        <translation>开通刷脸签到？</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="37" />
        <source>Staff: is the person at the camera the cardholder?</source>
        <translation>工作人员确认：摄像头前是持卡人本人？</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="38" />
        <source>Look at the camera and hold still</source>
        <translation>请看向摄像头，保持不动</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="41" />
        <source>Face check-in is on</source>
        <translation>已开通刷脸签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="42" />
        <source>Not enabled. Your check-in stands</source>
        <translation>未开通。您的签到有效</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="43" />
        <source>No clear face captured: keep using your card</source>
        <translation>未能采集到清晰的面部，请继续刷卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="44" />
        <source>This face is enrolled under another name — please see staff</source>
        <translation>此面孔已登记在他人名下，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="47" />
        <source>Face check-in not enabled: keep using your card</source>
        <translation>未能开通刷脸签到，请继续刷卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="122" />
        <source>Agree</source>
        <translation>同意</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="123" />
        <source>Decline</source>
        <translation>不同意</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="124" />
        <source>Yes, capture</source>
        <translation>是本人，开始采集</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/consent.py" line="125" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>Desk</name>
    <message>
        <location filename="../../kiosk/ui/answer_card.py" line="91" />
        <source>Welcome</source>
        <translation>欢迎</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/answer_card.py" line="93" />
        <source>Tap your ID card, scan your code, or look at the camera</source>
        <translation>请刷身份证、扫描二维码或看向摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/answer_card.py" line="152" />
        <source>%n second(s) left</source>
        <translation>剩余 %n 秒</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/camera_view.py" line="114" />
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/desk_window.py" line="157" />
        <source>CME check-in · %1 · desk %2</source>
        <translation>继续医学教育签到 · %1 · %2 台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="75" />
        <source>Now: %1</source>
        <translation>当前：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="78" />
        <location filename="../../kiosk/ui/header.py" line="94" />
        <source>No session is on now</source>
        <translation>当前没有进行中的课程</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="81" />
        <source>Next: %1</source>
        <translation>下一场：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="84" />
        <source>No more sessions today</source>
        <translation>今日已无后续课程</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="88" />
        <source>Staff</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/header.py" line="89" />
        <source>Desk %1</source>
        <translation>%1 台</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_strip.py" line="45" />
        <source>Arrived %1 · Left %2 · Expected %3</source>
        <translation>已到 %1 · 已离开 %2 · 应到 %3</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/status_strip.py" line="77" />
        <source>sync: not configured</source>
        <translation>同步：未配置</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="91" />
        <source>Check-in</source>
        <translation>签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="92" />
        <source>Check-out</source>
        <translation>签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="93" />
        <source>Auto in/out</source>
        <translation>自动签到/签退</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="149" />
        <source>Checked out</source>
        <translation>签退成功</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="151" />
        <source>Checked in</source>
        <translation>签到成功</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="153" />
        <source>no check-in found: flagged for the organizer</source>
        <translation>无签到记录，已标记供主办方核查</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="155" />
        <source>not on the roster: registered provisionally</source>
        <translation>未在名单，临时登记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="157" />
        <source>document expired: flagged</source>
        <translation>证件已过期，已标记</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="164" />
        <source>Already checked in at %1 (desk %2)</source>
        <translation>已于 %1 在 %2 台签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="166" />
        <source>Already checked out at %1 (desk %2)</source>
        <translation>已于 %1 在 %2 台签退</translation>
    </message>
</context>
<context>
    <name>Face</name>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="99" />
        <source>Blink your eyes</source>
        <translation>请眨眨眼</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="100" />
        <source>Turn your head to the left</source>
        <translation>请向左转头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="101" />
        <source>Turn your head to the right</source>
        <translation>请向右转头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="102" />
        <source>Look at the camera to confirm it is you</source>
        <translation>请看摄像头核验身份</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="103" />
        <source>Please come closer</source>
        <translation>请靠近一点</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="104" />
        <source>Please hold still</source>
        <translation>请保持不动</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="105" />
        <source>Please face the camera</source>
        <translation>请正对摄像头</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="106" />
        <source>Not recognised — tap your ID card or scan your code</source>
        <translation>未能识别，请刷身份证或扫码</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../../kiosk/ui/keypad.py" line="59" />
        <source>OK</source>
        <translation>确定</translation>
    </message>
</context>
<context>
    <name>Pin</name>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="50" />
        <source>Staff PIN</source>
        <translation>工作人员 PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="51" />
        <source>Enter your staff PIN</source>
        <translation>请输入工作人员 PIN</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="52" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="71" />
        <source>Too many wrong PINs: wait %n second(s)</source>
        <translation>PIN 错误次数过多，请 %n 秒后再试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/pin_dialog.py" line="74" />
        <source>Wrong PIN</source>
        <translation>PIN 错误</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="30" />
        <source>This project does not accept this method</source>
        <translation>本项目不接受此签到方式</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="31" />
        <source>Card not registered — please see staff</source>
        <translation>卡片未登记，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="32" />
        <source>Not on the roster — please see staff</source>
        <translation>未找到报名信息，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="33" />
        <source>Today is not a day of this project</source>
        <translation>今天不是本项目的培训日</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="34" />
        <source>Document expired — please see staff</source>
        <translation>证件已过期，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="35" />
        <source>Storage full: check-in paused — please call staff</source>
        <translation>存储空间不足，暂停签到，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="36" />
        <source>Something went wrong — please call staff</source>
        <translation>出现错误，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="37" />
        <source>The desk is closing — try again in a moment</source>
        <translation>签到台正在关闭，请稍后再试</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="38" />
        <source>This project's roster and face data were deleted at the end of their retention</source>
        <translation>本项目的名单与人脸数据已按保留期限删除</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="42" />
        <location filename="../../kiosk/ui/texts.py" line="43" />
        <location filename="../../kiosk/ui/texts.py" line="44" />
        <source>This code cannot be checked here</source>
        <translation>本机无法核验此二维码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="45" />
        <source>Empty code — scan again</source>
        <translation>二维码为空，请重扫</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="46" />
        <location filename="../../kiosk/ui/texts.py" line="47" />
        <location filename="../../kiosk/ui/texts.py" line="48" />
        <location filename="../../kiosk/ui/texts.py" line="49" />
        <source>Not a check-in code</source>
        <translation>不是签到二维码</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="50" />
        <source>Code from a newer version — see staff</source>
        <translation>二维码版本较新，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="51" />
        <source>Damaged code — scan again or see staff</source>
        <translation>二维码损坏，请重扫或联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="52" />
        <source>This code is for another project</source>
        <translation>此二维码属于其他项目</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="53" />
        <source>This desk has no ticket keys yet — see staff</source>
        <translation>本机尚无验票密钥，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="54" />
        <source>Ticket signed with an unknown key — see staff</source>
        <translation>电子票签名密钥未知，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="55" />
        <source>Invalid ticket — please see staff</source>
        <translation>电子票无效，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="56" />
        <source>Invalid code — please see staff</source>
        <translation>二维码无效，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="57" />
        <source>Code expired — refresh it and scan again</source>
        <translation>二维码已过期，请刷新后再扫</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="58" />
        <source>Code not valid yet — check the phone's clock</source>
        <translation>二维码尚未生效，请检查手机时间</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="59" />
        <source>This code was already used — refresh it</source>
        <translation>此二维码已使用，请刷新</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="60" />
        <source>Roster codes are not accepted here</source>
        <translation>本项目不接受名单码签到</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="62" />
        <location filename="../../kiosk/ui/texts.py" line="63" />
        <location filename="../../kiosk/ui/texts.py" line="64" />
        <location filename="../../kiosk/ui/texts.py" line="66" />
        <location filename="../../kiosk/ui/texts.py" line="67" />
        <location filename="../../kiosk/ui/texts.py" line="71" />
        <location filename="../../kiosk/ui/texts.py" line="74" />
        <source>Card not read — place it again</source>
        <translation>未读到卡片，请重新放卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="65" />
        <source>This card type is not supported</source>
        <translation>不支持此类卡片</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="68" />
        <location filename="../../kiosk/ui/texts.py" line="69" />
        <location filename="../../kiosk/ui/texts.py" line="70" />
        <source>Reader problem — please see staff</source>
        <translation>读卡器故障，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="72" />
        <source>The card's data is damaged — see staff</source>
        <translation>卡片数据损坏，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="73" />
        <source>Invalid document number — please see staff</source>
        <translation>证件号码无效，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="75" />
        <location filename="../../kiosk/ui/texts.py" line="76" />
        <source>Card photo cannot be read here</source>
        <translation>本机无法读取证件照片</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="78" />
        <source>Face does not match the card — please see staff</source>
        <translation>人脸与证件不符，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="79" />
        <location filename="../../kiosk/ui/texts.py" line="80" />
        <source>Could not verify it is you — see staff</source>
        <translation>未能核验身份，请联系工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="83" />
        <source>Another card was tapped</source>
        <translation>已刷另一张卡</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/texts.py" line="84" />
        <location filename="../../kiosk/ui/texts.py" line="85" />
        <location filename="../../kiosk/ui/texts.py" line="86" />
        <location filename="../../kiosk/ui/texts.py" line="87" />
        <source>Liveness check failed — see staff</source>
        <translation>活体检测未通过，请联系工作人员</translation>
    </message>
</context>
<context>
    <name>Staff</name>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="184" />
        <source>staff</source>
        <translation>工作人员</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="185" />
        <source>Signed in: %1</source>
        <translation>已登录：%1</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="204" />
        <source>Desk mode</source>
        <translation>签到模式</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="205" />
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="206" />
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="207" />
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="217" />
        <source>Back to the check-in screen</source>
        <translation>返回签到屏幕</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="218" />
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../../kiosk/ui/staff_panel.py" line="219" />
        <source>Leave kiosk mode (close the desk)</source>
        <translation>退出自助模式（关闭签到台）</translation>
    </message>
</context>
</TS>